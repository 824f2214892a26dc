// Showing the service's answers: the label, the verdict, one bar per class, the 28x28 input the
// model saw, and in number mode the text with a box over each character.

const $ = (id) => document.getElementById(id);
// A probability as a whole percentage; tiny but non-zero ones read "<1%" rather than a false "0%".
function percent(p) {
  if (p > 0 && p < 0.005) return "<1%";
  if (p < 1 && p > 0.995) return ">99%";
  return `${Math.round(p * 100)}%`;
}

// "Not a digit" when every class is a digit; a neutral word when the model reads other symbols.
function rejectWord(classes) {
  return classes.length && classes.every((c) => /^\d$/.test(c)) ? "Not a digit" : "Not recognised";
}

export class Results {
  constructor() {
    this.classes = []; // class labels in the order the service lists them
    this.label = $("label");
    this.verdict = $("verdict");
    this.bars = $("bars");
    this.input = $("input");
    this.chars = $("chars");
    this.boxes = $("boxes");
    this.error = $("error");
  }

  // Nothing drawn: claim nothing.
  idle(mode) {
    this.blank();
    this.show("", mode === "number" ? "Write a number to start." : "Draw a digit to start.");
  }

  // No answer to show: bars at zero (kept, so the layout does not jump), no image, no boxes.
  blank() {
    this.setBars(Object.fromEntries(this.classes.map((c) => [c, 0])), null);
    this.drawInput(null);
    this.setChars([], 1, 1);
  }

  show(label, verdict, state = "") {
    this.label.textContent = label;
    this.label.dataset.state = state;
    this.verdict.textContent = verdict;
  }

  // One character (/v1/recognize); returns the sentence to announce.
  character(r) {
    this.setBars(r.probabilities, r.blank || r.rejected ? null : r.label);
    this.drawInput(r.input);
    if (r.blank) {
      this.show("", "No ink found: draw a digit.", "blank");
      return "No ink found.";
    }
    const guesses = r.top3.map(([c, p]) => `${c} (${percent(p)})`).join(", ");
    if (r.rejected) {
      const word = rejectWord(this.classes);
      this.show("?", `${word}. Best guesses: ${guesses}.`, "rejected");
      return `${word}.`;
    }
    const others = r.top3.slice(1).map(([c, p]) => `${c} (${percent(p)})`).join(", ");
    this.show(r.label, `${percent(r.confidence)} sure; next best ${others}.`, "ok");
    return `${r.label}, ${percent(r.confidence)} sure.`;
  }

  // A line of characters (/v1/read) drawn on an image of width x height pixels.
  number(r, width, height) {
    this.setChars(r.chars, width, height);
    if (!r.chars.length) {
      this.show("", "Nothing read: write a number.", "blank");
      return "Nothing read.";
    }
    const doubts = r.chars.filter((c) => c.rejected).length;
    const note = doubts ? ` ${doubts} unsure (shown as ?).` : "";
    const n = r.chars.length;
    this.show(r.text, `${n} character${n === 1 ? "" : "s"} read.${note}`, doubts ? "rejected" : "ok");
    return `Read ${r.text.split("").join(" ")}.${note}`;
  }

  // Bars for every class in the service's order; `best` is highlighted (null: none).
  setBars(probabilities, best) {
    const classes = Object.keys(probabilities);
    if (classes.join("\n") !== this.classes.join("\n") || !this.bars.children.length) {
      this.classes = classes;
      this.bars.replaceChildren(...classes.map((c) => this.bar(c)));
    }
    for (const li of this.bars.children) {
      const p = probabilities[li.dataset.class] ?? 0;
      const meter = li.querySelector("[role=meter]");
      meter.setAttribute("aria-valuenow", String(Math.round(p * 1000) / 10));
      meter.setAttribute("aria-valuetext", percent(p));
      li.querySelector(".fill").style.width = `${p * 100}%`;
      li.querySelector(".value").textContent = percent(p);
      li.classList.toggle("best", li.dataset.class === best);
    }
  }

  bar(cls) {
    const li = document.createElement("li");
    li.dataset.class = cls;
    const name = Object.assign(document.createElement("span"), { className: "name", textContent: cls });
    const track = Object.assign(document.createElement("span"), { className: "track" });
    track.setAttribute("role", "meter");
    track.setAttribute("aria-label", `Probability of ${cls}`);
    track.setAttribute("aria-valuemin", "0");
    track.setAttribute("aria-valuemax", "100");
    track.append(Object.assign(document.createElement("span"), { className: "fill" }));
    const value = Object.assign(document.createElement("span"), { className: "value" });
    name.setAttribute("aria-hidden", "true");
    value.setAttribute("aria-hidden", "true");
    li.append(name, track, value);
    return li;
  }

  // The 28x28 grey image (rows of ints, white ink on black) drawn pixel for pixel; null clears it.
  drawInput(rows) {
    const ctx = this.input.getContext("2d");
    const img = ctx.createImageData(28, 28);
    for (let i = 0; i < 28 * 28; i += 1) {
      const v = rows ? rows[Math.floor(i / 28)][i % 28] : 0;
      img.data.set([v, v, v, 255], i * 4);
    }
    ctx.putImageData(img, 0, 0);
    this.input.dataset.ink = rows ? "yes" : "no";
  }

  // The characters as a list and as boxes over the drawing (boxes are in the sent image's pixels).
  setChars(chars, width, height) {
    this.chars.replaceChildren(...chars.map((c) => {
      const li = document.createElement("li");
      li.textContent = c.rejected
        ? `? (unsure; best guess ${c.top3[0][0]}, ${percent(c.confidence)})`
        : `${c.label} (${percent(c.confidence)})`;
      return li;
    }));
    this.boxes.replaceChildren(...chars.map((c) => {
      const [x0, y0, x1, y1] = c.box;
      const box = document.createElement("div");
      box.className = c.rejected ? "box rejected" : "box";
      Object.assign(box.style, {
        left: `${(x0 / width) * 100}%`, top: `${(y0 / height) * 100}%`,
        width: `${((x1 - x0) / width) * 100}%`, height: `${((y1 - y0) / height) * 100}%`,
      });
      box.dataset.label = c.rejected ? "?" : c.label;
      return box;
    }));
  }

  showError(message) {
    this.error.textContent = message;
    this.error.hidden = !message;
  }
}
