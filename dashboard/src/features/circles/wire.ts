// The wire shapes of the circle discussions and tasks APIs: aliases of the generated OpenAPI types
// (src/lib/api/schema.d.ts), so a change of the server's shapes fails the typecheck here.
import type { components } from "@/lib/api/schema";

type Schemas = components["schemas"];

export type DiscussionMode = Schemas["Mode"];
export const discussionModes: DiscussionMode[] = ["round_robin", "mention", "free", "facilitator", "selector", "manual"];

export type DiscussionStatus = Schemas["DiscussionStatus"];
export type Limits = Schemas["Limits"];
/** An agent of a discussion, as the server names it. */
export type DiscussionAgent = Schemas["DiscussionAgent"];
export type Discussion = Schemas["Discussion"];
export type MessageKind = Schemas["MessageKind"];
export type DiscussionMessage = Schemas["DiscussionMessage"];
export type MessagePage = Schemas["MessagePage"];
export type NewDiscussion = Schemas["NewDiscussion"];
export type ContinueDiscussion = Schemas["ContinueDiscussion"];
export type SpeakerChoice = Schemas["SpeakerChoice"];
export type NewPost = Schemas["NewPost"];

export type TaskStatus = Schemas["CircleTaskStatus"];
export type TaskPriority = Schemas["CircleTaskPriority"];
export const taskPriorities: TaskPriority[] = ["low", "medium", "high", "critical"];
export type TaskStep = Schemas["CircleTaskStep"];
export type CircleTask = Schemas["CircleTask"];
/** A task with every step it went through (`GET …/tasks/{id}`). */
export type CircleTaskDetail = Schemas["CircleTaskDetail"];
export type NewTask = Schemas["NewCircleTask"];
export type TaskAccept = Schemas["CircleTaskAccept"];
export type TaskRefuse = Schemas["CircleTaskRefuse"];
export type TaskReview = Schemas["CircleTaskReview"];
export type Conflict = Schemas["CircleConflict"];
