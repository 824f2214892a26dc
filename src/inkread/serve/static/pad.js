// The drawing surface: strokes from mouse, touch, pen (Pointer Events) or the keyboard, kept in
// units of the canvas height so they survive resizes and render at any resolution.

const WIDTH = 0.055; // stroke width as a fraction of the canvas height
const MIN_STEP = 0.002; // closer points (in height units) add nothing but cost
const INK = "#111";
const PAPER = "#fff";

// Midpoint of two points {x, y}.
function mid(a, b) {
  return { x: (a.x + b.x) / 2, y: (a.y + b.y) / 2 };
}

// Width factor of a point: pressure only counts for pens (mouse and touch report fixed values).
function weight(p) {
  return 0.5 + p.p;
}

// One stroke's points {x, y, p} drawn as quadratic curves through the midpoints (smooth joins).
function drawStroke(ctx, stroke, scale) {
  const pts = stroke.points;
  const width = WIDTH * scale;
  if (pts.length === 1) {
    ctx.beginPath();
    ctx.arc(pts[0].x * scale, pts[0].y * scale, (width * weight(pts[0])) / 2, 0, 2 * Math.PI);
    ctx.fill();
    return;
  }
  // segment j runs from midpoint j-1 to midpoint j, bending towards point j; the ends are straight
  let start = pts[0];
  for (let j = 0; j < pts.length - 1; j += 1) {
    const end = j === pts.length - 2 ? pts[j + 1] : mid(pts[j], pts[j + 1]);
    ctx.beginPath();
    ctx.lineWidth = width * weight(pts[j]);
    ctx.moveTo(start.x * scale, start.y * scale);
    if (j === 0) ctx.lineTo(end.x * scale, end.y * scale);
    else ctx.quadraticCurveTo(pts[j].x * scale, pts[j].y * scale, end.x * scale, end.y * scale);
    ctx.stroke();
    start = end;
  }
}

// Paper and every stroke onto a 2D context whose height is `scale` pixels.
function paint(ctx, strokes, scale, widthPx) {
  ctx.fillStyle = PAPER;
  ctx.fillRect(0, 0, widthPx, scale);
  ctx.fillStyle = INK;
  ctx.strokeStyle = INK;
  ctx.lineCap = "round";
  ctx.lineJoin = "round";
  for (const stroke of strokes) drawStroke(ctx, stroke, scale);
}

export class Pad {
  // canvas: the <canvas>; cursor: an element shown as the keyboard pen; onChange({final}) after edits.
  constructor(canvas, cursor, onChange) {
    this.canvas = canvas;
    this.cursor = cursor;
    this.onChange = onChange;
    this.aspect = 1; // width / height
    this.strokes = [];
    this.history = []; // undo stack: {kind: "stroke"} or {kind: "clear", strokes}
    this.active = null; // the pointer id drawing now, or "key" for the keyboard pen
    this.pen = { x: 0.5, y: 0.5 }; // keyboard pen position, in height units
    this.onPen = null; // called with a sentence saying where the keyboard pen is, for screen readers
    this.frame = 0;
    this.bindPointer();
    this.bindKeys();
    new ResizeObserver(() => this.resize()).observe(canvas);
  }

  isEmpty() {
    return this.strokes.length === 0;
  }

  setAspect(aspect) {
    this.aspect = aspect;
    this.canvas.parentElement.style.setProperty("--aspect", String(aspect));
    this.resize();
  }

  // Match the bitmap to the displayed size times the device pixel ratio, then repaint.
  resize() {
    const rect = this.canvas.getBoundingClientRect();
    const ratio = window.devicePixelRatio || 1;
    const w = Math.max(1, Math.round(rect.width * ratio));
    const h = Math.max(1, Math.round(rect.height * ratio));
    if (this.canvas.width !== w || this.canvas.height !== h) {
      this.canvas.width = w;
      this.canvas.height = h;
    }
    this.repaint();
  }

  repaint() {
    if (this.frame) return;
    this.frame = requestAnimationFrame(() => {
      this.frame = 0;
      const ctx = this.canvas.getContext("2d");
      paint(ctx, this.strokes, this.canvas.height, this.canvas.width);
      this.placeCursor();
    });
  }

  // The drawing as a PNG data URL `height` pixels high (dark ink on white), and its size.
  toPNG(height) {
    const out = document.createElement("canvas");
    out.height = height;
    out.width = Math.round(height * this.aspect);
    paint(out.getContext("2d"), this.strokes, height, out.width);
    return { url: out.toDataURL("image/png"), width: out.width, height: out.height };
  }

  undo() {
    this.endStroke(false);
    const last = this.history.pop();
    if (!last) return false;
    if (last.kind === "stroke") this.strokes.pop();
    else this.strokes = last.strokes;
    this.changed(true);
    return true;
  }

  clear() {
    this.endStroke(false);
    if (this.isEmpty()) return false;
    this.history.push({ kind: "clear", strokes: this.strokes });
    this.strokes = [];
    this.changed(true);
    return true;
  }

  changed(final) {
    this.canvas.dataset.strokes = String(this.strokes.length);
    this.repaint();
    this.onChange({ final });
  }

  // ---- strokes ----

  startStroke(point, who) {
    this.active = who;
    this.strokes.push({ points: [point] });
    this.history.push({ kind: "stroke" });
    this.changed(false);
  }

  extend(points) {
    const pts = this.strokes[this.strokes.length - 1].points;
    let added = false;
    for (const q of points) {
      const last = pts[pts.length - 1];
      if (Math.hypot(q.x - last.x, q.y - last.y) < MIN_STEP) continue;
      pts.push(q);
      added = true;
    }
    if (added) this.changed(false);
  }

  endStroke(notify = true) {
    if (this.active === null) return;
    this.active = null;
    if (notify) this.changed(true);
  }

  // ---- pointer input ----

  pointOf(e) {
    const rect = this.canvas.getBoundingClientRect();
    const p = e.pointerType === "pen" && e.pressure > 0 ? e.pressure : 0.5;
    return { x: (e.clientX - rect.left) / rect.height, y: (e.clientY - rect.top) / rect.height, p };
  }

  bindPointer() {
    const c = this.canvas;
    c.addEventListener("pointerdown", (e) => {
      if (this.active !== null || (e.pointerType === "mouse" && e.button !== 0)) return;
      e.preventDefault();
      c.setPointerCapture(e.pointerId);
      this.hideCursor();
      this.startStroke(this.pointOf(e), e.pointerId);
    });
    c.addEventListener("pointermove", (e) => {
      if (e.pointerId !== this.active) return;
      const events = e.getCoalescedEvents ? e.getCoalescedEvents() : [];
      this.extend((events.length ? events : [e]).map((ev) => this.pointOf(ev)));
    });
    const end = (e) => {
      if (e.pointerId === this.active) this.endStroke();
    };
    c.addEventListener("pointerup", end);
    c.addEventListener("pointercancel", end);
    c.addEventListener("lostpointercapture", end);
    c.addEventListener("contextmenu", (e) => e.preventDefault());
  }

  // ---- keyboard pen: arrows move it, Space or Enter puts it down or lifts it ----

  bindKeys() {
    const c = this.canvas;
    const moves = { ArrowLeft: [-1, 0], ArrowRight: [1, 0], ArrowUp: [0, -1], ArrowDown: [0, 1] };
    c.addEventListener("keydown", (e) => {
      if (e.key in moves) {
        e.preventDefault();
        const step = e.shiftKey ? 0.08 : 0.025;
        const [dx, dy] = moves[e.key];
        this.pen.x = Math.min(this.aspect, Math.max(0, this.pen.x + dx * step));
        this.pen.y = Math.min(1, Math.max(0, this.pen.y + dy * step));
        if (this.active === "key") this.extend([{ ...this.pen, p: 0.5 }]);
        this.showCursor();
        this.tellPen();
      } else if (e.key === " " || e.key === "Enter") {
        e.preventDefault();
        if (this.active === "key") this.endStroke();
        else if (this.active === null) this.startStroke({ ...this.pen, p: 0.5 }, "key");
        this.showCursor();
        this.tellPen();
      }
    });
    c.addEventListener("blur", () => {
      if (this.active === "key") this.endStroke();
      this.hideCursor();
    });
  }

  // "Pen down, 50% across, 20% down.": where the keyboard pen is, as a blind writer needs to know.
  tellPen() {
    if (!this.onPen) return;
    const across = Math.round((this.pen.x / this.aspect) * 100);
    const down = Math.round(this.pen.y * 100);
    this.onPen(`Pen ${this.active === "key" ? "down" : "up"}, ${across}% across, ${down}% down.`);
  }

  showCursor() {
    this.cursor.hidden = false;
    this.cursor.classList.toggle("down", this.active === "key");
    this.placeCursor();
  }

  hideCursor() {
    this.cursor.hidden = true;
  }

  placeCursor() {
    if (this.cursor.hidden) return;
    this.cursor.style.left = `${(this.pen.x / this.aspect) * 100}%`;
    this.cursor.style.top = `${this.pen.y * 100}%`;
  }
}
