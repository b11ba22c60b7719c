// All of the UI's own state, in one object, and the only functions that change it. The core owns
// everything that matters (who is signed in, the session, its time); what lives here is what the
// page needs to draw and to give focus back: the screen on show, the last status, the visit's
// choices before signing in, and the open dialogs' and sections' bookkeeping. Screens read
// `state` and change it only through these functions.
import type { AppStatus, BrowserPlan, BrowserState, Contrast, Screen, TextSize } from "./bindings.js";
import type { Language } from "./i18n.js";

/** What the person chose before signing in (see `visit` below). */
export interface Visit {
  language: Language | null;
  textSize: TextSize;
  contrast: Contrast;
}

/** The browser bar of the session on screen, while it has a browser. */
export interface BrowserBar {
  plan: BrowserPlan;
  state: BrowserState;
  filesOpen: boolean;
  /** The last layout sent to the shell ("top:shown"), so that the same one is not sent again. */
  sent: string;
  observers: { disconnect(): void }[];
  /** Refreshes My files. */
  onFiles: () => void;
}

/** The administrator panel's bookkeeping. */
export interface Panel {
  /** What the confirmation dialog does on OK. */
  confirmAction: (() => void) | null;
  /** The button that opened a dialog: the focus goes back to it (or to the Users tab, when the
   * action redrew the table) when the dialog closes. */
  opener: Element | null;
  /** The user whose password the password dialog sets. */
  passwordFor: string;
  /** The user whose own daily time the daily-time dialog sets. */
  dailyFor: string;
  /** The `before` of each audit page shown so far (null for the newest), for "Newer". */
  auditPages: (number | null)[];
  /** The `before` of the next older audit page, or null at the oldest. */
  auditNextBefore: number | null;
}

interface UiState {
  /** The screen on show (null: none yet, or it must be drawn again from scratch). */
  shown: Screen | null;
  /** The last status drawn (a change of language draws it again). */
  lastStatus: AppStatus | null;
  /**
   * What the person chose before signing in: a language and the display preferences. They live
   * in this page only, carry into the session (the preferences become the session's own) and
   * are gone when the session's wipe reloads the page, like everything else of the visit.
   */
  visit: Visit;
  /** What had the focus when the idle warning opened, to give it back when the warning closes. */
  focusBeforeWarning: Element | null;
  browser: BrowserBar | null;
  panel: Panel;
}

const current: UiState = {
  shown: null,
  lastStatus: null,
  visit: { language: null, textSize: "normal", contrast: "normal" },
  focusBeforeWarning: null,
  browser: null,
  panel: { confirmAction: null, opener: null, passwordFor: "", dailyFor: "", auditPages: [null], auditNextBefore: null },
};

/** Read-only fields, and read-only fields of the objects in them (one level down). */
type ReadOnly2<T> = { readonly [K in keyof T]: T[K] extends object ? Readonly<T[K]> : T[K] };

/** The UI's state, to read (the functions below change it). */
export const state: ReadOnly2<UiState> = current;

// ---- Screens -----------------------------------------------------------------------------

/** A status is being drawn. */
export function statusArrived(status: AppStatus): void {
  current.lastStatus = status;
}

/** The screen now on show. */
export function showing(screen: Screen): void {
  current.shown = screen;
}

/** The screen must be drawn again from scratch at the next status (or none is on show). */
export function forgetShown(): void {
  current.shown = null;
}

// ---- The visit (before signing in) -------------------------------------------------------

export function chooseLanguage(language: Language): void {
  current.visit.language = language;
}

export function toggleVisitTextSize(): void {
  current.visit.textSize = current.visit.textSize === "large" ? "normal" : "large";
}

export function toggleVisitContrast(): void {
  current.visit.contrast = current.visit.contrast === "high" ? "normal" : "high";
}

// ---- The idle warning --------------------------------------------------------------------

export function rememberFocusBeforeWarning(element: Element | null): void {
  current.focusBeforeWarning = element;
}

/** Where the focus goes back when the warning closes; forgotten once taken. */
export function takeFocusBeforeWarning(): Element | null {
  const back = current.focusBeforeWarning;
  current.focusBeforeWarning = null;
  return back;
}

// ---- The session's browser bar -----------------------------------------------------------

export function enterBrowser(bar: BrowserBar): void {
  current.browser = bar;
}

/** Leaves the browser bar; returns the one left, if any. */
export function clearBrowser(): BrowserBar | null {
  const bar = current.browser;
  current.browser = null;
  return bar;
}

/** Opens or closes My files over the browsing view; returns whether it is now open. */
export function toggleBrowserFiles(): boolean {
  if (!current.browser) return false;
  current.browser.filesOpen = !current.browser.filesOpen;
  return current.browser.filesOpen;
}

export function browserStateChanged(next: BrowserState): void {
  if (current.browser) current.browser.state = next;
}

export function browserLayoutSent(key: string): void {
  if (current.browser) current.browser.sent = key;
}

// ---- The administrator panel -------------------------------------------------------------

/** A confirmation dialog opens: what OK does, and the element to give the focus back to. */
export function confirmOpening(action: () => void, opener: Element | null): void {
  current.panel.confirmAction = action;
  current.panel.opener = opener;
}

/** The confirmation's action, forgotten once taken. */
export function takeConfirmAction(): (() => void) | null {
  const action = current.panel.confirmAction;
  current.panel.confirmAction = null;
  return action;
}

/** The password dialog opens for `username`, from `opener`. */
export function passwordOpening(username: string, opener: Element | null): void {
  current.panel.passwordFor = username;
  current.panel.opener = opener;
}

/** The daily-time dialog opens for `username`, from `opener`. */
export function dailyOpening(username: string, opener: Element | null): void {
  current.panel.dailyFor = username;
  current.panel.opener = opener;
}

/** The element that opened the dialog now closing, forgotten once taken. */
export function takeOpener(): Element | null {
  const back = current.panel.opener;
  current.panel.opener = null;
  return back;
}

/** The audit list starts again from its newest page. */
export function auditFromNewest(): void {
  current.panel.auditPages = [null];
}

/** An audit page arrived; `nextBefore` is where the older one starts. */
export function auditPageShown(nextBefore: number | null): void {
  current.panel.auditNextBefore = nextBefore;
}

/** Goes one page older; returns its `before`, or null when there is none. */
export function auditOlder(): number | null {
  const before = current.panel.auditNextBefore;
  if (before === null) return null;
  current.panel.auditPages.push(before);
  return before;
}

/** Goes one page newer; returns its `before` (null for the newest). */
export function auditNewer(): number | null {
  if (current.panel.auditPages.length > 1) current.panel.auditPages.pop();
  return current.panel.auditPages[current.panel.auditPages.length - 1] ?? null;
}
