// "Are you sure?" for the actions that cannot be undone or that cut someone off.
import type { ReactNode } from "react";
import { Button } from "@/components/ui";
import { Dialog } from "./Dialog";

export function ConfirmDialog({
  title,
  children,
  confirm,
  busy,
  onConfirm,
  onClose,
}: {
  title: string;
  children: ReactNode;
  confirm: string;
  busy?: boolean;
  onConfirm: () => void;
  onClose: () => void;
}) {
  return (
    <Dialog
      title={title}
      onClose={onClose}
      footer={
        <>
          <Button onClick={onClose}>Cancel</Button>
          <Button variant="danger" onClick={onConfirm} disabled={busy}>
            {confirm}
          </Button>
        </>
      }
    >
      <div className="text-sm text-slate-700 dark:text-slate-300">{children}</div>
    </Dialog>
  );
}
