// The acceptable-use page: the library's rules, which a person accepts before their session
// starts (declining goes back to the sign-in screen). The text comes from the core as blocks of
// plain words (headings, paragraphs, list items, bold and italic runs), drawn here with DOM nodes
// and never as HTML, in the person's language where the page has it.
import type { AppStatus, NoticeBlock, NoticeText, Screen } from "../bindings.js";
import { el, make, mount } from "../dom.js";
import { errorText, toIpcError } from "../errors.js";
import { language, t } from "../i18n.js";
import { commands } from "../ipc.js";
import { redraw, submit } from "../redraw.js";
import { carryPreferences } from "./signin.js";

type AcceptableUseScreen = Extract<Screen, { kind: "acceptable_use" }>;

/** The text to show: the person's language, else the one for everyone, else the first. */
export function chooseText(texts: NoticeText[], wanted: string): NoticeText | undefined {
  return (
    texts.find((x) => x.language === wanted) ??
    texts.find((x) => x.language === null) ??
    texts[0]
  );
}

function words(block: NoticeBlock, into: HTMLElement): HTMLElement {
  for (const span of block.spans) {
    let node: Node = document.createTextNode(span.text);
    if (span.emphasis) {
      const em = make("em");
      em.append(node);
      node = em;
    }
    if (span.strong) {
      const strong = make("strong");
      strong.append(node);
      node = strong;
    }
    into.append(node);
  }
  return into;
}

/** The blocks as elements: headings under the screen's own title, items gathered into lists. */
function drawBlocks(blocks: NoticeBlock[]): HTMLElement[] {
  const out: HTMLElement[] = [];
  let list: HTMLElement | null = null;
  for (const block of blocks) {
    if (block.kind === "item") {
      if (!list) {
        list = make("ul");
        out.push(list);
      }
      list.append(words(block, make("li")));
      continue;
    }
    list = null;
    out.push(words(block, make(block.kind === "heading" ? "h2" : "p")));
  }
  return out;
}

export function drawAcceptableUse(screen: AcceptableUseScreen): void {
  mount("acceptable_use");
  el("terms-who").textContent =
    screen.account === "guest"
      ? t("Welcome. Please read the rules for using this terminal; your session starts when you accept them.")
      : t("Welcome, {name}. Please read the rules for using this terminal; your session starts when you accept them.", {
          name: screen.display_name,
        });
  const shown = chooseText(screen.texts, language());
  const text = el("terms-text");
  text.replaceChildren(...drawBlocks(shown?.blocks ?? []));
  if (shown?.language) text.setAttribute("lang", shown.language);
  const problem = el("terms-problem");
  const accept = el<HTMLButtonElement>("terms-accept");
  const decline = el<HTMLButtonElement>("terms-decline");
  const answer = (yes: boolean) => async (): Promise<AppStatus> => {
    try {
      const status = await commands.answerAcceptableUse(yes, shown?.language ?? null);
      return yes ? await carryPreferences(status) : status;
    } catch (raw) {
      // Refused at the door after reading (closing time came, the day's time ran out): the
      // sign-in screen, saying why.
      const now = await commands.appStatus().catch(() => null);
      if (now && now.screen.kind !== "acceptable_use") {
        redraw(now, errorText(toIpcError(raw)));
        return now;
      }
      throw raw;
    }
  };
  accept.addEventListener("click", () => void submit(accept, problem, answer(true)));
  decline.addEventListener("click", () => void submit(decline, problem, answer(false)));
  // The text first: read (and scrolled) before any button.
  text.focus();
}
