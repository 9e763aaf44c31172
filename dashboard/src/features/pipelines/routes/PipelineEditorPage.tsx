import { Later } from "@/features/placeholders/Later";

// Being built: replaced by the real page.
export default function PipelineEditorPage() {
  return <Later title="PipelineEditorPage" text="This page is being built." />;
}
