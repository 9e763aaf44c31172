// The wire shapes of the circle discussions and tasks APIs, written from the shared contract
// (/work/circles-contract.md) until the server's OpenAPI document has them: then these become
// aliases of the generated types. Optional where the contract does not say; the pages read them
// defensively.

export type DiscussionMode = "round_robin" | "mention" | "free" | "facilitator" | "selector" | "manual";
export const discussionModes: DiscussionMode[] = ["round_robin", "mention", "free", "facilitator", "selector", "manual"];

export type DiscussionStatus = "pending" | "running" | "waiting" | "paused" | "completed" | "stopped" | "failed";

export type Limits = {
  max_turns?: number | null;
  max_tokens?: number | null;
  max_cost?: number | null;
  max_seconds?: number | null;
  turn_timeout_secs?: number | null;
  on_timeout?: "continue" | "stop" | null;
};

/** An agent of a discussion, as the server names it. */
export type DiscussionAgent = { agent_id: string; name: string };

export type Discussion = {
  id: string;
  circle_id?: string;
  topic: string;
  prompt?: string | null;
  mode: DiscussionMode | string;
  /** In speaking order: the agents (or, in older shapes, their ids). */
  participants: (DiscussionAgent | string)[];
  facilitator?: DiscussionAgent | null;
  facilitator_id?: string | null;
  summary_agent?: DiscussionAgent | null;
  limits?: Limits | null;
  summary_agent_id?: string | null;
  save_summary?: boolean;
  status: DiscussionStatus | string;
  /** `speaker` (a person picks the next speaker) or `person:<user id>`. */
  waiting_for?: string | null;
  next_speaker?: DiscussionAgent | string | null;
  end_reason?: string | null;
  turns?: number;
  tokens?: number;
  cost?: number;
  summary?: string | null;
  summary_memory_id?: string | null;
  created_by?: string;
  created_at?: string;
  started_at?: string | null;
  ended_at?: string | null;
  updated_at?: string;
};

export type MessageKind = "prompt" | "agent" | "person" | "system" | "summary";

export type DiscussionMessage = {
  id: string;
  seq: number;
  kind: MessageKind | string;
  agent_id?: string | null;
  user_id?: string | null;
  speaker: string;
  content: string;
  mentions?: string[];
  status?: "ok" | "timed_out" | "failed" | string;
  turn?: number | null;
  prompt_tokens?: number | null;
  completion_tokens?: number | null;
  cost?: number | null;
  model?: string | null;
  latency_ms?: number | null;
  created_at?: string;
};

export type NewDiscussion = {
  topic: string;
  prompt?: string;
  participants?: string[];
  mode?: DiscussionMode;
  facilitator?: string;
  limits?: Limits;
  summary_agent?: string;
  save_summary?: boolean;
};

export type TaskStatus = "open" | "offered" | "claimed" | "in_progress" | "review" | "changes_requested" | "done" | "blocked";
export type TaskPriority = "low" | "medium" | "high" | "critical";
export const taskPriorities: TaskPriority[] = ["low", "medium", "high", "critical"];

export type TaskStep = {
  id?: string;
  /** What happened: created, changed, offered, accepted, refused, started, submitted, reviewed, escalated. */
  step?: string;
  detail?: Record<string, unknown> | null;
  kind?: string;
  type?: string;
  action?: string;
  agent_id?: string | null;
  agent?: string | null;
  user_id?: string | null;
  note?: string | null;
  verdict?: string | null;
  content?: string | null;
  iteration?: number | null;
  at?: string;
  created_at?: string;
};

export type CircleTask = {
  id: string;
  title: string;
  description?: string;
  competencies?: string[];
  priority?: TaskPriority | string;
  status: TaskStatus | string;
  /** The agent it is offered to or claimed by. */
  assignee_id?: string | null;
  assignee_name?: string | null;
  assignee?: string | null;
  /** The agent it is offered to, while it decides. */
  offered_to?: string | null;
  offered_to_name?: string | null;
  reviewer_id?: string | null;
  reviewer_name?: string | null;
  review_note?: string | null;
  resources?: string[];
  iteration?: number;
  result?: string | null;
  created_by?: string | null;
  created_at?: string;
  updated_at?: string;
  history?: TaskStep[];
};

export type NewTask = { title: string; description?: string; competencies?: string[]; priority?: TaskPriority; resources?: string[] };

export type Conflict = {
  id?: string;
  resource?: string;
  task_ids?: string[];
  tasks?: string[];
  agent_ids?: string[];
  agents?: string[];
  detail?: string;
  detected_at?: string;
  resolved_at?: string | null;
  created_at?: string;
};

/** A list answer: the contract's `Page<T>` or a bare array. */
export type ListAnswer<T> = T[] | { items: T[]; next_cursor?: string | null };

export function itemsOf<T>(answer: ListAnswer<T> | null | undefined): T[] {
  if (!answer) return [];
  return Array.isArray(answer) ? answer : (answer.items ?? []);
}

/** A discussion's participants as {agent_id, name}, names filled from the circle's agents. */
export function participantsOf(d: Pick<Discussion, "participants">, names: Map<string, string>): DiscussionAgent[] {
  return d.participants.map((p) => (typeof p === "string" ? { agent_id: p, name: names.get(p) ?? p } : p));
}
