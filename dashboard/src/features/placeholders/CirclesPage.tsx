import { Later } from "./Later";

export default function CirclesPage() {
  return <Later title="Circles" text="Circles (groups of agents and people that converse) arrive in a later release; their page will be here." />;
}
