// A search hit as a citation: which document and collection, the headings above it (a
// breadcrumb), its position, score and matching ranks, and the chunk's text with the query's
// words marked. The text is rendered as React text nodes and <mark> elements only.
import { Link } from "react-router";
import type { KnowledgeHit } from "../api";
import { highlight } from "../model";

export function Highlighted({ text, query }: { text: string; query: string }) {
  return (
    <>
      {highlight(text, query).map((s, i) =>
        s.match ? (
          <mark key={i} className="rounded-sm bg-yellow-200 px-0.5 text-slate-900 dark:bg-yellow-600 dark:text-slate-50">
            {s.text}
          </mark>
        ) : (
          <span key={i}>{s.text}</span>
        ),
      )}
    </>
  );
}

export function Citation({ hit, query }: { hit: KnowledgeHit; query: string }) {
  const ranks = [hit.semantic_rank != null ? `semantic #${hit.semantic_rank}` : null, hit.keyword_rank != null ? `keyword #${hit.keyword_rank}` : null].filter(Boolean);
  return (
    <li className="flex flex-col gap-1 py-3" data-testid="citation">
      <div className="flex flex-wrap items-center gap-2 text-xs">
        <Link to={`/knowledge/${encodeURIComponent(hit.collection_name)}`} className="text-slate-500 underline hover:text-slate-700 dark:hover:text-slate-300">
          {hit.collection_name}
        </Link>
        <span aria-hidden className="text-slate-400">/</span>
        <span className="text-sm font-semibold" data-testid="citation-document">
          {hit.document_name}
        </span>
        <span className="text-slate-500">chunk {hit.position + 1}</span>
        <span className="ml-auto rounded bg-indigo-100 px-1.5 py-0.5 font-medium text-indigo-800 dark:bg-indigo-900 dark:text-indigo-200">score {hit.score.toFixed(3)}</span>
        {ranks.map((r) => (
          <span key={r} className="rounded border border-indigo-300 px-1 text-indigo-700 dark:border-indigo-700 dark:text-indigo-300">
            {r}
          </span>
        ))}
      </div>
      {hit.heading_path.length > 0 && (
        <nav aria-label="Heading path">
          <ol className="flex flex-wrap items-center gap-1 text-xs text-slate-600 dark:text-slate-300" data-testid="heading-path">
            {hit.heading_path.map((h, i) => (
              <li key={i} className="flex items-center gap-1">
                {i > 0 && (
                  <span aria-hidden className="text-slate-400">
                    ›
                  </span>
                )}
                {h}
              </li>
            ))}
          </ol>
        </nav>
      )}
      <blockquote className="border-l-2 border-slate-300 pl-3 text-sm whitespace-pre-wrap dark:border-slate-600">
        <Highlighted text={hit.content} query={query} />
      </blockquote>
    </li>
  );
}
