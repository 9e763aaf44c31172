import { Later } from "./Later";

export default function MemoryPage() {
  return <Later title="Memory" text="Agents' memories (semantic, keyword and hybrid search over pgvector) arrive in the next release; their page will be here." />;
}
