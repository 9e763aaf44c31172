import { PageHeader } from "@/components/states";
import { Card } from "@/components/ui";

/** The place a later release fills (memory, circles). */
export function Later({ title, text }: { title: string; text: string }) {
  return (
    <>
      <PageHeader title={title} />
      <Card>
        <p className="text-sm text-slate-600 dark:text-slate-400">{text}</p>
      </Card>
    </>
  );
}
