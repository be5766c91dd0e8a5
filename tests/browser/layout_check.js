// Layout breakage a program can see, run inside the page by tests/browser/test_layout.py.
// Returns a list of {check, element, text, detail}; an empty list means the page passed.
//
// The rules (README "Looking at every page"):
// - narrow: a block that holds visible text is narrower than 8 times the width of "0" in its
//   font and wraps that text (or lets it spill out). A box whose text sits on one line inside it
//   (a status badge, a KATO code, a count, a short label) is as wide as it needs to be: the rule
//   catches columns squeezed by their neighbours, not short words.
// - broken-word: a word of a visible text node lies on two lines. Words may break at a hyphen,
//   a slash, a soft hyphen (U+00AD) or a zero-width space; a URL or an e-mail address may break
//   anywhere when its box is at least the 8-character minimum.
// - overflow: the document scrolls sideways, or an element's right edge lies past the viewport
//   and no ancestor scrolls or clips it sideways (a table inside .table-scroll is fine).
// - clipped: a table that must be read whole (the hearing's deadlines: its status column is
//   the point of it) needs sideways scrolling inside its box, or sticks out of the viewport.
// - overlap: two siblings in normal flow whose boxes intersect by more than 2 px both ways.
//   Absolutely positioned, fixed and floated boxes are decorations or wrap-arounds, not flow.
// - image: an <img> without width and height attributes, or one that loaded with no size.
// - language: text in <main> whose letters say it is in another language than the page (a
//   Kazakh letter: Kazakh; two Latin words and no Cyrillic: English; three Cyrillic words in
//   small letters and no Kazakh letter: Russian) must sit inside lang="that language", and text
//   inside a lang other than the page's needs a "written in" note (.written-in) in its card or
//   section (the nearest .card, .message, section, article or main). Names (translate="no": a
//   resident's name, a place's other-language name), addresses, codes in capitals and words
//   with digits are not counted; <code> and <kbd> are left out.
// An element (and its subtree) is exempted from one check by data-layout-ok="check ..." in the
// template, with a comment there saying why.
async (options) => {
  const MIN_CHARS = 8;
  const TOLERANCE = 2;
  const problems = [];
  const viewport = document.documentElement.clientWidth;

  // Lazy images load when scrolled to; load them all now, so the size check sees real images.
  await Promise.all(
    Array.from(document.images).map((img) => {
      img.loading = "eager";
      return img.complete ? null : img.decode().catch(() => null);
    })
  );

  const describe = (el) => {
    if (!el || el.nodeType !== 1) return String(el);
    const parts = [];
    for (let node = el; node && node.nodeType === 1 && parts.length < 4; node = node.parentElement) {
      let part = node.tagName.toLowerCase();
      if (node.id) {
        parts.unshift(part + "#" + node.id);
        break;
      }
      const classes = Array.from(node.classList).slice(0, 2);
      if (classes.length) part += "." + classes.join(".");
      parts.unshift(part);
    }
    return parts.join(" > ");
  };
  const textOf = (el) => (el.innerText || el.textContent || "").replace(/\s+/g, " ").trim().slice(0, 60);
  const report = (check, el, detail) =>
    problems.push({ check, element: describe(el), text: textOf(el), detail });
  const exempt = (el, check) => {
    for (let node = el; node && node.nodeType === 1; node = node.parentElement) {
      const value = node.getAttribute("data-layout-ok");
      if (value !== null && value.split(/\s+/).includes(check)) return true;
    }
    return false;
  };

  // Visually hidden on purpose: .visually-hidden (1 px clipped), the honeypot field and the
  // skip link parked far off screen, closed <details>, display:none (no boxes at all).
  const hiddenCache = new Map();
  const isHidden = (el) => {
    if (hiddenCache.has(el)) return hiddenCache.get(el);
    let hidden = false;
    const style = getComputedStyle(el);
    if (style.visibility === "hidden" || style.display === "none") hidden = true;
    else {
      const rect = el.getBoundingClientRect();
      if (style.overflow !== "visible" && rect.width <= 1 && rect.height <= 1) hidden = true;
      else if (rect.right < -100 || rect.left < -1000) hidden = true;
      else if (el.parentElement) hidden = isHidden(el.parentElement);
    }
    hiddenCache.set(el, hidden);
    return hidden;
  };

  const zeroWidths = new Map();
  const canvas = document.createElement("canvas").getContext("2d");
  const zeroWidth = (style) => {
    const font = `${style.fontStyle} ${style.fontWeight} ${style.fontSize} ${style.fontFamily}`;
    if (!zeroWidths.has(font)) {
      canvas.font = font;
      zeroWidths.set(font, canvas.measureText("0").width);
    }
    return zeroWidths.get(font);
  };

  const blockOf = (el) => {
    for (let node = el; node; node = node.parentElement) {
      const display = getComputedStyle(node).display;
      if (!display.startsWith("inline") || display === "inline-block" || display === "inline-flex" || display === "inline-grid" || display === "inline-table") {
        if (display !== "contents") return node;
      }
    }
    return document.body;
  };

  // Lines of a set of client rects: rects whose vertical middles differ by less than half a
  // line's height are on the same line.
  const lineCount = (rects) => {
    const middles = [];
    for (const rect of rects) {
      if (rect.width < 0.5 || rect.height < 0.5) continue;
      const middle = (rect.top + rect.bottom) / 2;
      if (!middles.some((m) => Math.abs(m - middle) < rect.height / 2)) middles.push(middle);
    }
    return middles.length;
  };

  // An address: scheme://..., www..., user@host.tld, or host.tld[:port]/path (the printed notice).
  const URLISH = /(:\/\/|^www\.|@[^\s@]+\.|^[\w-]+(\.[\w-]+)+(:\d+)?\/)/i;
  const BREAKS = /[-\u2010\u2011\u2012\u2013\u2014/\u00ad\u200b]/;

  // --- text: narrow boxes and broken words ---------------------------------------------------
  const walker = document.createTreeWalker(document.body, NodeFilter.SHOW_TEXT, {
    acceptNode: (node) => (/\S/.test(node.data) ? NodeFilter.FILTER_ACCEPT : NodeFilter.FILTER_REJECT),
  });
  const checkedBlocks = new Set();
  const range = document.createRange();
  for (let node = walker.nextNode(); node; node = walker.nextNode()) {
    const parent = node.parentElement;
    if (!parent || ["SCRIPT", "STYLE", "NOSCRIPT", "TEMPLATE", "OPTION", "TEXTAREA", "TITLE"].includes(parent.tagName)) continue;
    if (parent.closest("svg, select, .leaflet-container")) continue;
    if (isHidden(parent)) continue;
    range.selectNodeContents(node);
    const nodeRects = Array.from(range.getClientRects());
    if (!nodeRects.length) continue;
    const style = getComputedStyle(parent);
    const minimum = MIN_CHARS * zeroWidth(style);
    const block = blockOf(parent);
    const blockStyle = getComputedStyle(block);
    const blockRect = block.getBoundingClientRect();
    const contentWidth =
      blockRect.width -
      parseFloat(blockStyle.paddingLeft) - parseFloat(blockStyle.paddingRight) -
      parseFloat(blockStyle.borderLeftWidth) - parseFloat(blockStyle.borderRightWidth);

    if (!checkedBlocks.has(block) && !exempt(block, "narrow")) {
      checkedBlocks.add(block);
      if (contentWidth + 0.5 < minimum) {
        range.selectNodeContents(block);
        const rects = Array.from(range.getClientRects());
        const textWidth = Math.max(...rects.map((r) => r.right)) - Math.min(...rects.map((r) => r.left));
        if (lineCount(rects) > 1) {
          report("narrow", block, `text box ${Math.round(contentWidth)} px wide, under the ${Math.round(minimum)} px of ${MIN_CHARS} characters, wraps its text`);
        } else if (textWidth > contentWidth + TOLERANCE) {
          report("narrow", block, `text box ${Math.round(contentWidth)} px wide, under the ${Math.round(minimum)} px of ${MIN_CHARS} characters, and its text (${Math.round(textWidth)} px) spills out`);
        }
      }
    }

    if (lineCount(nodeRects) < 2 || exempt(parent, "broken-word")) continue;
    const words = node.data.matchAll(/\S+/g);
    for (const match of words) {
      const word = match[0];
      if (word.length < 2) continue;
      // Pieces between the places where a word may lawfully break.
      let offset = match.index;
      const pieces = word.split(BREAKS);
      let cursor = 0;
      for (const piece of pieces) {
        const start = offset + word.indexOf(piece, cursor);
        cursor = start - offset + piece.length;
        if (piece.length < 2) continue;
        range.setStart(node, start);
        range.setEnd(node, start + piece.length);
        if (lineCount(range.getClientRects()) > 1) {
          if (URLISH.test(word) && contentWidth + 0.5 >= minimum) continue;
          problems.push({
            check: "broken-word",
            element: describe(parent),
            text: word.slice(0, 60),
            detail: `the word is split over two lines in a box ${Math.round(contentWidth)} px wide`,
          });
          break;
        }
      }
    }
  }

  // --- elements: overflow, overlap, images -----------------------------------------------------
  const docWidth = document.documentElement.scrollWidth;
  if (docWidth > viewport + 1) {
    problems.push({ check: "overflow", element: "html", text: "", detail: `the page is ${docWidth} px wide in a ${viewport} px viewport` });
  }
  const scrollsSideways = (el) => {
    for (let node = el.parentElement; node && node !== document.body; node = node.parentElement) {
      const overflowX = getComputedStyle(node).overflowX;
      if (overflowX !== "visible") return node.getBoundingClientRect().right <= viewport + 1;
    }
    return false;
  };
  const all = Array.from(document.body.querySelectorAll("*"));
  const overflowing = new Set();
  for (const el of all) {
    if (el.closest("svg, .leaflet-container") && el.tagName !== "svg") continue;
    // A visually hidden element (1 px, clipped) still widens the page when it sticks out.
    const style = getComputedStyle(el);
    if (style.display === "none" || style.visibility === "hidden") continue;
    const rect = el.getBoundingClientRect();
    if (rect.right < 0) continue;
    if (rect.width === 0 && rect.height === 0) continue;
    if (rect.right > viewport + 1 && !exempt(el, "overflow") && !scrollsSideways(el)) {
      if (!overflowing.has(el.parentElement)) {
        report("overflow", el, `right edge at ${Math.round(rect.right)} px, past the ${viewport} px viewport`);
      }
      overflowing.add(el);
    }
  }

  const MUST_FIT = "table.deadlines";
  for (const table of document.querySelectorAll(MUST_FIT)) {
    const box = table.parentElement;
    const right = table.getBoundingClientRect().right;
    if (box.scrollWidth > box.clientWidth + 1 || right > viewport + 1) {
      report("clipped", table, `${box.scrollWidth} px of table in a ${box.clientWidth} px box`);
    }
  }

  const inFlow = (el) => {
    const style = getComputedStyle(el);
    return (
      !["absolute", "fixed"].includes(style.position) &&
      style.float === "none" &&
      style.display !== "none" &&
      style.display !== "contents" &&
      !isHidden(el)
    );
  };
  for (const parent of [document.body, ...all]) {
    if (parent.children.length < 2 || parent.closest("svg, .leaflet-container, head")) continue;
    if (exempt(parent, "overlap")) continue;
    const boxes = [];
    for (const child of parent.children) {
      if (["SCRIPT", "STYLE", "TEMPLATE", "BR", "WBR"].includes(child.tagName) || !inFlow(child)) continue;
      for (const rect of child.getClientRects()) {
        if (rect.width > TOLERANCE && rect.height > TOLERANCE) boxes.push({ child, rect });
      }
    }
    boxes.sort((a, b) => a.rect.top - b.rect.top);
    const reported = new Set();
    for (let i = 0; i < boxes.length; i++) {
      for (let j = i + 1; j < boxes.length && boxes[j].rect.top < boxes[i].rect.bottom - TOLERANCE; j++) {
        const a = boxes[i], b = boxes[j];
        if (a.child === b.child || reported.has(a.child)) continue;
        const across = Math.min(a.rect.right, b.rect.right) - Math.max(a.rect.left, b.rect.left);
        const down = Math.min(a.rect.bottom, b.rect.bottom) - Math.max(a.rect.top, b.rect.top);
        if (across > TOLERANCE && down > TOLERANCE) {
          reported.add(a.child);
          problems.push({
            check: "overlap",
            element: describe(a.child),
            text: textOf(a.child),
            detail: `overlaps its sibling ${describe(b.child)} («${textOf(b.child)}») by ${Math.round(across)}×${Math.round(down)} px`,
          });
        }
      }
    }
  }

  for (const img of document.images) {
    if (exempt(img, "image") || img.closest(".leaflet-container")) continue;
    if (!img.getAttribute("width") || !img.getAttribute("height")) {
      report("image", img, `<img src="${img.getAttribute("src")}"> has no width and height attributes`);
    } else if (img.complete && img.naturalWidth === 0) {
      report("image", img, `<img src="${img.getAttribute("src")}"> did not load (no natural size)`);
    }
  }
  // --- language: text in another language is marked and noted ----------------------------------
  const page = (document.documentElement.lang || "").slice(0, 2);
  const KAZAKH = /[әғқңөұүһіӘҒҚҢӨҰҮҺІ]/;
  // Words, not codes in capitals (CSV, KZT, ЖШС); Russian is told by its small-letter words,
  // since names (Ильичевка, Тайынша-Май) are written alike in Kazakh.
  const RUSSIAN_WORD = /^[\u0430-\u044f\u0451][\u0400-\u04ff'’-]+$/;
  const LATIN_WORD = /^[A-Za-z][a-z'’-]+$/;
  // Frequent Kazakh words without a Kazakh letter: with one of them, small-letter Cyrillic is
  // not taken for Russian ("JPEG, PNG немесе WebP, 15 МБ-тан аспауы керек").
  const KAZAKH_PLAIN = new Set(["немесе", "керек", "бар", "мен", "бен", "пен", "деп", "осы", "сайын", "ма", "ме", "ба", "бе", "да", "де", "та", "те", "ол", "бола", "болса"]);
  const languageOf = (text) => {
    const words = text
      .split(/\s+/)
      .filter((word) => !URLISH.test(word) && !word.startsWith("/"))
      .flatMap((word) => word.split(/[.,;:!?()«»"“”„\[\]{}·—–\/|]+/))
      .filter((word) => word && !/\d/.test(word));
    if (words.some((word) => KAZAKH.test(word))) return "kk";
    const cyrillic = words.filter((word) => /[\u0400-\u04ff]/.test(word)).length;
    const latin = words.filter((word) => LATIN_WORD.test(word)).length;
    if (latin >= 2 && cyrillic === 0) return "en";
    if (words.some((word) => KAZAKH_PLAIN.has(word.toLowerCase()))) return null;
    if (words.filter((word) => RUSSIAN_WORD.test(word)).length >= 3) return "ru";
    return null;
  };
  const NOTED_IN = ".card, .message, section, article, main";
  const noted = (el) => {
    for (let node = el; node && node !== document.body; node = node.parentElement) {
      if (node.querySelector(".written-in")) return true;
      if (node.matches(NOTED_IN)) return false;
    }
    return false;
  };
  const scope = document.querySelector("main") || document.body;
  const texts = document.createTreeWalker(scope, NodeFilter.SHOW_TEXT, {
    acceptNode: (node) => (/\S/.test(node.data) ? NodeFilter.FILTER_ACCEPT : NodeFilter.FILTER_REJECT),
  });
  const reportedLanguage = new Set();
  for (let node = texts.nextNode(); node; node = texts.nextNode()) {
    const parent = node.parentElement;
    if (!parent || ["SCRIPT", "STYLE", "NOSCRIPT", "TEMPLATE", "OPTION", "TEXTAREA"].includes(parent.tagName)) continue;
    if (parent.closest("code, kbd, samp, select, [translate=no]") || isHidden(parent)) continue;
    if (exempt(parent, "language") || reportedLanguage.has(parent)) continue;
    const marked = parent.closest("[lang]");
    const declared = marked ? marked.getAttribute("lang").slice(0, 2) : page;
    const found = languageOf(node.data);
    if (found && found !== declared) {
      reportedLanguage.add(parent);
      report("language", parent, `text in ${found} on a ${page} page, without lang="${found}"`);
    } else if (declared !== page && !noted(parent)) {
      reportedLanguage.add(parent);
      report("language", parent, `text in lang="${declared}" on a ${page} page, without a note in its card or section saying so`);
    }
  }
  return problems;
}
