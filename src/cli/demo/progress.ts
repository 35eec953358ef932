/**
 * Shows the stories as they run. On a terminal: one live line per story with a spinner and
 * the path so far, notes printed above it, a ✔/✘ line when it ends. Otherwise (pipes, CI,
 * logs): plain lines, one per transition and note. Silent in `--json` mode.
 */
import type { TextSink } from '../output.js';
import type { StoryReporter, StoryResult } from './stories.js';

const FRAMES = ['⠋', '⠙', '⠹', '⠸', '⠼', '⠴', '⠦', '⠧', '⠇', '⠏'];
const ARROW = ' → ';

export function plural(count: number, word: string): string {
  return `${count} ${word}${count === 1 ? '' : 's'}`;
}

function resultLine(result: StoryResult): string {
  return `${result.ok ? '✔' : '✘'} ${result.id}. ${result.title} (${plural(result.tokenRequests, 'token request')}, ${result.durationMs} ms): ${result.detail}`;
}

export function createSilentReporter(): StoryReporter {
  return { begin() {}, transition() {}, note() {}, end() {} };
}

export function createPlainReporter(out: TextSink): StoryReporter {
  return {
    begin({ id, total, title }) {
      out.write(`[${id}/${total}] ${title}\n`);
    },
    transition(state) {
      out.write(`      state → ${state}\n`);
    },
    note(text) {
      out.write(`      · ${text}\n`);
    },
    end(result) {
      out.write(`  ${resultLine(result)}\n\n`);
    },
  };
}

export function createTtyReporter(out: TextSink): StoryReporter & { dispose(): void } {
  let frame = 0;
  let header = '';
  let path: string[] = [];
  let timer: NodeJS.Timeout | undefined;
  const draw = (): void => {
    // One terminal row at most, or the carriage return cannot take the line back.
    const width = Math.max(20, (out.columns ?? 100) - 1);
    const line = `${FRAMES[frame % FRAMES.length]} ${header}  ${path.join(ARROW)}`;
    const chars = [...line];
    out.write(`\r\x1b[2K${chars.length > width ? `${chars.slice(0, width - 1).join('')}…` : line}`);
  };
  const clear = (): void => {
    out.write('\r\x1b[2K');
  };
  const stop = (): void => {
    if (timer) clearInterval(timer);
    timer = undefined;
  };
  return {
    begin({ id, total, title }) {
      header = `${id}/${total} ${title}`;
      path = [];
      draw();
      timer = setInterval(() => {
        frame += 1;
        draw();
      }, 80);
      timer.unref();
    },
    transition(state) {
      path.push(state);
      draw();
    },
    note(text) {
      clear();
      out.write(`    · ${text}\n`);
      draw();
    },
    end(result) {
      stop();
      clear();
      out.write(`${resultLine(result)}\n    ${result.path.join(ARROW)}\n`);
    },
    dispose: stop,
  };
}
