// What the selected descriptor's buffer carried, read from guest memory as it is now: its PFNs (the
// first SHOWN_PFNS of them), or the stats entries of a stats buffer.
import type { ReactNode } from 'react';
import { hex, pfnGpaHex } from './format.ts';
import { Th } from './parts.tsx';
import { type BufferContents, isBadPfn, type Ring, readDescriptor } from './rings.ts';
import type { RingMemory } from './types.ts';

const SHOWN_PFNS = 256;

export function SelectedBuffer({
  core,
  ring,
  index,
  contents,
  stats,
  onShowPfns,
}: {
  core: RingMemory;
  ring: Ring;
  index: number;
  contents: BufferContents;
  stats: boolean;
  onShowPfns?: () => void;
}) {
  const d = readDescriptor(core, ring.desc, index);
  const { pfns } = contents;
  const bad = pfns.filter((p) => isBadPfn(core, p)).length;
  const pfnItems: ReactNode[] = [];
  for (let k = 0; k < Math.min(pfns.length, SHOWN_PFNS); k++) {
    const isBad = isBadPfn(core, pfns[k]);
    pfnItems.push(
      <li
        key={k}
        className="vqi-num"
        data-bad={isBad || undefined}
        title={`guest address ${pfnGpaHex(pfns[k])}`}
      >
        {hex(pfns[k])}
        {isBad ? <span className="sr-only"> (past the end of RAM)</span> : null}
      </li>,
    );
  }
  return (
    <section className="vqi-selected" aria-label={`What descriptor ${index} carried`}>
      <h4>
        Descriptor <span className="vqi-num">{index}</span>: <span className="vqi-num">{d.len}</span> bytes at{' '}
        <span className="vqi-num">{hex(d.addr)}</span>
      </h4>
      <p className="vqi-muted">
        Read from guest memory as it is now; the driver reuses its arrays for the next batch.
      </p>
      {contents.notes.length > 0 ? (
        <ul className="vqi-notes">
          {contents.notes.map((n) => (
            <li key={n}>{n}</li>
          ))}
        </ul>
      ) : null}
      {stats ? (
        <StatsEntries entries={contents.stats} />
      ) : pfns.length > 0 ? (
        <>
          <p>
            It carried <span className="vqi-num">{pfns.length}</span>
            {contents.truncated ? '+' : ''} PFNs (4 KiB frame numbers, le32 each), first{' '}
            <span className="vqi-num">{hex(pfns[0])}</span> (guest address{' '}
            <span className="vqi-num">{pfnGpaHex(pfns[0])}</span>), last{' '}
            <span className="vqi-num">{hex(pfns[pfns.length - 1])}</span> (
            <span className="vqi-num">{pfnGpaHex(pfns[pfns.length - 1])}</span>)
            {bad > 0 ? `; ${bad} past the end of RAM, which QEMU skips` : ''}.
          </p>
          {onShowPfns ? (
            <p>
              <button type="button" onClick={onShowPfns}>
                Show them on the memory map
              </button>
            </p>
          ) : null}
          <ol className="vqi-pfn-list" aria-label="PFNs in the buffer">
            {pfnItems}
          </ol>
          {pfns.length > SHOWN_PFNS ? (
            <p className="vqi-muted">…and {pfns.length - SHOWN_PFNS} more.</p>
          ) : null}
        </>
      ) : null}
    </section>
  );
}

function StatsEntries({ entries }: { entries: BufferContents['stats'] }) {
  if (entries.length === 0) return null;
  return (
    <table className="vqi-table vqi-stats">
      <caption>Stats entries in the buffer (le16 tag, le64 value; 10 bytes each)</caption>
      <thead>
        <tr>
          <Th spec="tag" className="vqi-right" />
          <Th spec="name" plain="QEMU's name" />
          <Th spec="val" className="vqi-right" />
        </tr>
      </thead>
      <tbody>
        {entries.map((e, k) => (
          // biome-ignore lint/suspicious/noArrayIndexKey: entries have no identity but their place
          <tr key={k}>
            <td className="vqi-num vqi-right">{e.tag}</td>
            <td className="vqi-num">{e.name}</td>
            <td className="vqi-num vqi-right">{e.value.toString()}</td>
          </tr>
        ))}
      </tbody>
    </table>
  );
}
