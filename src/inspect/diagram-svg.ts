/**
 * A state machine drawn as inline SVG for the offline inspector page: one box per state,
 * columns by distance from the initial state, one arrow per (from, to) pair. No layout
 * library and no external assets, so it renders on an air-gapped host. Each box carries
 * `data-state` and each arrow `data-from`/`data-to`, so the page can highlight them live.
 */
import type { MachineGraph } from '../graph/machine-graph.js';
import { escapeHtml } from './html.js';

export interface DiagramBox {
  id: string;
  label: string;
  detail: string;
  x: number;
  y: number;
}

export interface DiagramEdge {
  from: string;
  to: string;
  /** `event [guard]` labels of every transition this arrow stands for. */
  labels: string[];
}

export interface DiagramLayout {
  width: number;
  height: number;
  boxes: DiagramBox[];
  edges: DiagramEdge[];
}

const BOX_W = 172;
const BOX_H = 52;
const GAP_X = 120;
const GAP_Y = 44;
const PAD = 24;

/**
 * Orders each column by the mean position of its neighbours (the barycenter heuristic), a few
 * sweeps, so arrows cross less. Ties keep definition order; the result is deterministic.
 */
function orderColumns(columns: string[][], graph: MachineGraph): void {
  const neighbours = new Map<string, string[]>();
  for (const { from, to, internal } of graph.transitions) {
    if (internal || from === to) continue;
    neighbours.set(from, [...(neighbours.get(from) ?? []), to]);
    neighbours.set(to, [...(neighbours.get(to) ?? []), from]);
  }
  const position = new Map<string, number>();
  const place = () => {
    for (const column of columns) {
      for (const [index, id] of column.entries()) position.set(id, (index + 0.5) / column.length);
    }
  };
  place();
  for (let sweep = 0; sweep < 4; sweep += 1) {
    for (const column of columns) {
      const own = new Set(column);
      const weight = new Map(
        column.map((id, index) => {
          const others = (neighbours.get(id) ?? []).filter((other) => !own.has(other) && position.has(other));
          const mean = others.length
            ? others.reduce((sum, other) => sum + (position.get(other) ?? 0), 0) / others.length
            : (index + 0.5) / column.length;
          return [id, mean];
        }),
      );
      column.sort((a, b) => (weight.get(a) ?? 0) - (weight.get(b) ?? 0));
    }
    place();
  }
}

/** Column = shortest distance from the initial state; row = definition order within the column. */
export function layoutMachineGraph(graph: MachineGraph): DiagramLayout {
  const leaves = graph.states.filter((state) => state.type !== 'compound' && state.type !== 'parallel');
  const ids = new Set(leaves.map((state) => state.id));
  const rank = new Map<string, number>();
  const start = graph.initial && ids.has(graph.initial) ? graph.initial : leaves[0]?.id;
  if (start) {
    rank.set(start, 0);
    const queue = [start];
    while (queue.length > 0) {
      const current = queue.shift() as string;
      for (const transition of graph.transitions) {
        if (transition.from !== current || !ids.has(transition.to) || rank.has(transition.to)) continue;
        rank.set(transition.to, (rank.get(current) ?? 0) + 1);
        queue.push(transition.to);
      }
    }
  }
  const unreachable = Math.max(-1, ...rank.values()) + 1;
  const columns: string[][] = [];
  for (const state of leaves) {
    const column = rank.get(state.id) ?? unreachable;
    const members = columns[column] ?? [];
    members.push(state.id);
    columns[column] = members;
  }
  const dense = columns.filter((column) => column && column.length > 0);
  orderColumns(dense, graph);
  const rows = Math.max(1, ...dense.map((column) => column.length));
  const height = PAD * 2 + rows * BOX_H + (rows - 1) * GAP_Y;
  const boxes: DiagramBox[] = [];
  dense.forEach((column, columnIndex) => {
    const columnHeight = column.length * BOX_H + (column.length - 1) * GAP_Y;
    const top = (height - columnHeight) / 2;
    column.forEach((id, rowIndex) => {
      const state = leaves.find((candidate) => candidate.id === id);
      boxes.push({
        id,
        label: id,
        detail: state?.invokes.length
          ? `invoke ${state.invokes.join(', ')}`
          : state?.type === 'final'
            ? 'final'
            : '',
        x: PAD + columnIndex * (BOX_W + GAP_X),
        y: top + rowIndex * (BOX_H + GAP_Y),
      });
    });
  });
  const edges = new Map<string, DiagramEdge>();
  for (const transition of graph.transitions) {
    if (transition.internal || transition.from === transition.to) continue;
    if (!ids.has(transition.from) || !ids.has(transition.to)) continue;
    const key = `${transition.from}\u0000${transition.to}`;
    const label = transition.guard ? `${transition.event} [${transition.guard}]` : transition.event;
    const edge = edges.get(key) ?? { from: transition.from, to: transition.to, labels: [] };
    edge.labels.push(label);
    edges.set(key, edge);
  }
  const width = PAD * 2 + dense.length * BOX_W + Math.max(0, dense.length - 1) * GAP_X;
  return { width, height, boxes, edges: [...edges.values()] };
}

/** Where the segment from the centre of `box` towards (tx, ty) leaves the box. */
function exitPoint(box: DiagramBox, tx: number, ty: number): [number, number] {
  const cx = box.x + BOX_W / 2;
  const cy = box.y + BOX_H / 2;
  const dx = tx - cx;
  const dy = ty - cy;
  if (dx === 0 && dy === 0) return [cx, cy];
  const scale = Math.min(
    dx === 0 ? Number.POSITIVE_INFINITY : BOX_W / 2 / Math.abs(dx),
    dy === 0 ? Number.POSITIVE_INFINITY : BOX_H / 2 / Math.abs(dy),
  );
  return [cx + dx * scale, cy + dy * scale];
}

const round = (n: number): string => (Math.round(n * 10) / 10).toString();

function edgePath(from: DiagramBox, to: DiagramBox): string {
  const fx = from.x + BOX_W / 2;
  const fy = from.y + BOX_H / 2;
  const tx = to.x + BOX_W / 2;
  const ty = to.y + BOX_H / 2;
  const length = Math.hypot(tx - fx, ty - fy) || 1;
  // Bend every arrow to its left, so A→B and B→A become two distinct curves.
  const bend = Math.min(60, 18 + length / 10);
  const cx = (fx + tx) / 2 + ((ty - fy) / length) * bend;
  const cy = (fy + ty) / 2 - ((tx - fx) / length) * bend;
  const [sx, sy] = exitPoint(from, cx, cy);
  const [ex, ey] = exitPoint(to, cx, cy);
  return `M${round(sx)},${round(sy)} Q${round(cx)},${round(cy)} ${round(ex)},${round(ey)}`;
}

/** The layout as an `<svg>` element (no xmlns needed inline in HTML; no external references). */
export function renderDiagramSvg(layout: DiagramLayout): string {
  const byId = new Map(layout.boxes.map((box) => [box.id, box]));
  const edges = layout.edges
    .map((edge) => {
      const from = byId.get(edge.from);
      const to = byId.get(edge.to);
      if (!from || !to) return '';
      const title = escapeHtml(`${edge.from} → ${edge.to}: ${edge.labels.join(' | ')}`);
      return `<path class="edge" data-from="${escapeHtml(edge.from)}" data-to="${escapeHtml(edge.to)}" d="${edgePath(from, to)}" marker-end="url(#arrow)"><title>${title}</title></path>`;
    })
    .join('\n');
  const boxes = layout.boxes
    .map((box) => {
      const cx = round(box.x + BOX_W / 2);
      const detail = box.detail
        ? `<text class="detail" x="${cx}" y="${round(box.y + 36)}">${escapeHtml(box.detail)}</text>`
        : '';
      const labelY = round(box.y + (box.detail ? 21 : 30));
      return `<g class="state" data-state="${escapeHtml(box.id)}"><rect x="${round(box.x)}" y="${round(box.y)}" width="${BOX_W}" height="${BOX_H}" rx="10"></rect><text class="label" x="${cx}" y="${labelY}">${escapeHtml(box.label)}</text>${detail}</g>`;
    })
    .join('\n');
  return `<svg class="diagram" viewBox="0 0 ${layout.width} ${layout.height}" width="${layout.width}" height="${layout.height}" role="img" aria-label="state diagram">
<defs><marker id="arrow" viewBox="0 0 10 10" refX="9" refY="5" markerWidth="7" markerHeight="7" orient="auto-start-reverse"><path d="M0,0 L10,5 L0,10 z"></path></marker></defs>
<g class="edges">
${edges}
</g>
<g class="states">
${boxes}
</g>
</svg>`;
}
