/**
 * Keyboard shortcuts for a presenter: one key per step of the demo. A shortcut does exactly what
 * clicking its control does: the control carries `data-shortcut="<action>"`, and the shortcut
 * moves the focus to it and clicks it. So a shortcut is only ever as able as its control (a
 * disabled or hidden control does nothing), confirmations still ask, and the focus lands where a
 * keyboard user carries on from.
 */

type CloudNumber = 1 | 2 | 3 | 4 | 5;

type ShortcutAction =
  | 'sample'
  | 'look'
  | 'shares'
  | 'protect'
  | 'recover'
  | 'reset'
  | 'projector'
  | 'help'
  | `cloud-${CloudNumber}`
  | `corrupt-${CloudNumber}`;

/** One line of the help: the keys as printed, and what they do. */
interface ShortcutHelp {
  readonly keys: readonly string[];
  readonly words: string;
}

/** What the help lists, in the order of a demo. */
export const SHORTCUT_HELP: readonly ShortcutHelp[] = [
  { keys: ['S'], words: 'Load the sample study (set to be protected in 3 of 5 clouds)' },
  { keys: ['V'], words: 'Look at the first series of the chosen study' },
  { keys: ['W'], words: 'What each cloud sees, for the image being looked at' },
  { keys: ['P'], words: 'Protect what is chosen' },
  { keys: ['1', '…', '5'], words: 'Switch demo cloud A … E off, or on again' },
  { keys: ['Shift', '+', '1', '…', '5'], words: 'Corrupt a share in demo cloud A … E' },
  { keys: ['R'], words: 'Recover the newest protected file' },
  { keys: ['X'], words: 'Reset the demo (asks first; Enter confirms)' },
  { keys: ['L'], words: 'Projector layout on or off' },
  { keys: ['?'], words: 'Show or hide these shortcuts' },
];

/** Words for "nothing happened" when a control cannot be used now. */
export const ACTION_WORDS: Readonly<Record<ShortcutAction, string>> = {
  sample: 'Loading the sample study',
  look: 'Looking at a series (choose a study first)',
  shares: 'What each cloud sees (look at a series first)',
  protect: 'Protect (choose something to protect first)',
  recover: 'Recover (protect a file first)',
  reset: 'Reset the demo',
  projector: 'The projector layout',
  help: 'The list of shortcuts',
  'cloud-1': 'Switching demo cloud A',
  'cloud-2': 'Switching demo cloud B',
  'cloud-3': 'Switching demo cloud C',
  'cloud-4': 'Switching demo cloud D',
  'cloud-5': 'Switching demo cloud E',
  'corrupt-1': 'Corrupting a share in demo cloud A',
  'corrupt-2': 'Corrupting a share in demo cloud B',
  'corrupt-3': 'Corrupting a share in demo cloud C',
  'corrupt-4': 'Corrupting a share in demo cloud D',
  'corrupt-5': 'Corrupting a share in demo cloud E',
};

const LETTERS: Readonly<Record<string, ShortcutAction>> = {
  s: 'sample',
  v: 'look',
  w: 'shares',
  p: 'protect',
  r: 'recover',
  x: 'reset',
  l: 'projector',
};

/** The parts of a KeyboardEvent a shortcut depends on. */
interface KeyPress {
  readonly key: string;
  /** The physical key (`Digit3`), whatever the layout makes of it. */
  readonly code: string;
  readonly shiftKey: boolean;
  readonly ctrlKey: boolean;
  readonly metaKey: boolean;
  readonly altKey: boolean;
}

/**
 * The action a key press asks for, or undefined. Letters go by the character typed (what the
 * presenter reads on the key). The digit keys above the letters go by the physical key, with Shift
 * or without, since the same key types "1" on one layout and "&" on another, and Shift + 1 "!" or
 * "1"; the keypad's digits switch clouds too. Ctrl, Alt and Meta leave the browser's own shortcuts
 * alone.
 */
export function shortcutFor(press: KeyPress): ShortcutAction | undefined {
  if (press.ctrlKey || press.metaKey || press.altKey) return undefined;
  if (press.key === '?') return 'help';
  const topRow = /^Digit([1-5])$/.exec(press.code)?.[1];
  if (topRow !== undefined) return press.shiftKey ? `corrupt-${Number(topRow) as CloudNumber}` : `cloud-${Number(topRow) as CloudNumber}`;
  if (/^[1-5]$/.test(press.key)) return `cloud-${Number(press.key) as CloudNumber}`;
  if (press.shiftKey) return undefined;
  return LETTERS[press.key.toLowerCase()];
}

/** Inputs where a key press is not text: a letter there can still be a shortcut. */
const NOT_TYPED_INTO = new Set(['checkbox', 'radio', 'button', 'submit', 'reset', 'range', 'color', 'file', 'image']);

/** Whether the key press goes into something being typed into: a text field, a list, an editable area. */
export function isTyping(target: EventTarget | null): boolean {
  if (!(target instanceof HTMLElement)) return false;
  if (target.isContentEditable || target instanceof HTMLTextAreaElement || target instanceof HTMLSelectElement) return true;
  return target instanceof HTMLInputElement && !NOT_TYPED_INTO.has(target.type);
}

/** Whether a modal (the shortcuts' help, a recovery kit sheet) is open: what is behind it is not to be acted on. */
export function modalOpen(): boolean {
  return document.querySelector('dialog[open], [aria-modal="true"]') !== null;
}

/**
 * Clicks the control of `action`, as a person would: brought into view, focused, then clicked.
 * Where several could answer (two chosen studies, two open viewers), the first on the page. Returns
 * false when no such control can be used now (none, disabled, or not shown).
 */
export function runShortcut(action: ShortcutAction): boolean {
  const control = Array.from(document.querySelectorAll<HTMLElement>(`[data-shortcut="${action}"]`)).find(
    (element) => !(element as HTMLButtonElement).disabled && element.getClientRects().length > 0,
  );
  if (!control) return false;
  control.scrollIntoView({ block: 'nearest' });
  control.focus({ preventScroll: true });
  control.click();
  return true;
}
