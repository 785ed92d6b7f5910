// A protocol term in plain words: the term is focusable, and on hover or keyboard focus a tooltip says
// what it means (public/lessons/glossary.json, fetched once, the first time any term is pointed at or
// focused) with the spec's own name. Escape closes it.
import { type ReactNode, useEffect, useId, useState } from 'react';

interface Entry {
  spec: string;
  gloss: string;
}

let glossary: Promise<Map<string, Entry>> | null = null;

/** The glossary by term, lower-cased; fetched on the first call only (a failed fetch is tried again). */
export function loadGlossary(): Promise<Map<string, Entry>> {
  glossary ??= fetch('./lessons/glossary.json')
    .then((r) => (r.ok ? r.json() : Promise.reject(new Error(`glossary: HTTP ${r.status}`))))
    .then(
      (g: { terms: ({ term: string } & Entry)[] }) =>
        new Map(g.terms.map((t) => [t.term.toLowerCase(), { spec: t.spec, gloss: t.gloss }])),
    )
    .catch((e: unknown) => {
      glossary = null;
      throw e;
    });
  return glossary;
}

/**
 * `term` names an entry of the glossary (any case); the children are the words shown (the term
 * itself when there are none).
 */
export function Gloss({ term, children }: { term: string; children?: ReactNode }) {
  const id = useId();
  const [open, setOpen] = useState(false);
  const [entry, setEntry] = useState<Entry | null>(null);
  useEffect(() => {
    if (!open || entry) return;
    let live = true;
    loadGlossary().then(
      (g) => live && setEntry(g.get(term.toLowerCase()) ?? { spec: term, gloss: 'Not in the glossary.' }),
      () => live && setEntry({ spec: term, gloss: 'The glossary could not be loaded.' }),
    );
    return () => {
      live = false;
    };
  }, [open, entry, term]);
  return (
    // biome-ignore lint/a11y/noStaticElementInteractions: pointing at or focusing the term shows its gloss, nothing else
    <span
      className="gloss"
      // biome-ignore lint/a11y/noNoninteractiveTabindex: a term is focusable so that its gloss shows on keyboard focus
      tabIndex={0}
      aria-describedby={`${id}-tip`}
      data-term={term}
      onPointerEnter={() => setOpen(true)}
      onPointerLeave={() => setOpen(false)}
      onFocus={() => setOpen(true)}
      onBlur={() => setOpen(false)}
      onKeyDown={(e) => {
        if (e.key === 'Escape' && open) {
          e.stopPropagation();
          setOpen(false);
        }
      }}
    >
      {children ?? term}
      <span className="gloss-tip" role="tooltip" id={`${id}-tip`} hidden={!open}>
        {/* Empty while closed: the words around a term read (and copy) as they look. */}
        {!open ? null : entry ? (
          <>
            {entry.gloss} <span className="gloss-spec">({entry.spec})</span>
          </>
        ) : (
          '…'
        )}
      </span>
    </span>
  );
}
