// The drawing page: live recognition of what is drawn, through the service's /v1/recognize
// (one character) and /v1/read (a number). No framework, no build step, nothing from elsewhere.

import { Pad } from "./pad.js";
import { Results } from "./results.js";

const DEBOUNCE_MS = 150; // quiet time after the last change before a request while writing
const SEND_HEIGHT = 280; // pixels; the service crops, scales and centres whatever it gets
const MODES = {
  char: { url: "v1/recognize", aspect: 1 },
  number: { url: "v1/read", aspect: 2 },
};

const $ = (id) => document.getElementById(id);
const results = new Results();
const state = {
  mode: "char",
  timer: 0,
  controller: null, // AbortController of the request in flight
  sentKey: "", // mode + image of the latest request, to skip sending the same drawing twice
  announceNext: false, // whether the answer to the request in flight is a final one to announce
  lastAnnounce: "",
  lastSaid: "", // the sentence describing the result on screen
};

function announce(text) {
  if (!text || text === state.lastAnnounce) return;
  state.lastAnnounce = text;
  $("announce").textContent = text;
}

// body[data-busy]: "yes" while an answer is due (a request waits or is in flight); styles and tests use it.
function markBusy() {
  document.body.dataset.busy = state.timer || state.controller ? "yes" : "no";
}

// A drawing changed: ask again ~150 ms after the last change, or at once when a stroke ends.
function changed({ final }) {
  clearTimeout(state.timer);
  state.timer = 0;
  if (final) recognise(true);
  else state.timer = setTimeout(() => recognise(false), DEBOUNCE_MS);
  markBusy();
}

function recognise(final) {
  clearTimeout(state.timer);
  state.timer = 0;
  ask(final);
  markBusy();
}

// Send the drawing unless it is empty (nothing to claim) or was just sent.
function ask(final) {
  if (pad.isEmpty()) {
    abortInFlight();
    state.sentKey = "";
    results.showError("");
    results.idle(state.mode);
    if (final) announce("Cleared.");
    return;
  }
  const image = pad.toPNG(SEND_HEIGHT);
  const key = `${state.mode}|${image.url}`;
  if (key === state.sentKey) {
    // the same drawing was just sent: its answer (already shown or on its way) is the final one
    if (final && state.controller) state.announceNext = true;
    else if (final) announce(state.lastSaid);
    return;
  }
  state.sentKey = key;
  state.announceNext = final;
  send(state.mode, image).catch((err) => failed(err, key)).finally(markBusy);
}

function abortInFlight() {
  if (state.controller) state.controller.abort();
  state.controller = null;
}

async function send(mode, image) {
  abortInFlight();
  const controller = new AbortController();
  state.controller = controller;
  const response = await fetch(MODES[mode].url, {
    method: "POST",
    headers: { "Content-Type": "application/json", Accept: "application/json" },
    body: JSON.stringify({ image: image.url }),
    signal: controller.signal,
  });
  const body = await response.json().catch(() => null);
  if (controller !== state.controller) return; // a newer request replaced this one
  state.controller = null;
  if (!response.ok) throw new ServiceError(response.status, body);
  results.showError("");
  const said = mode === "number" ? results.number(body, image.width, image.height) : results.character(body);
  state.lastSaid = said;
  if (state.announceNext) announce(said);
}

class ServiceError extends Error {
  constructor(status, body) {
    // the service's errors carry one sentence in `detail`; validation errors may carry a list
    let detail = body ? body.detail : "";
    if (Array.isArray(detail)) detail = detail.map((d) => (d && d.msg) || "").filter(Boolean).join("; ");
    if (typeof detail !== "string") detail = "";
    super(`The service answered ${status}${detail ? `: ${detail}` : "."}`);
  }
}

function failed(err, key) {
  if (err.name === "AbortError") return;
  if (key === state.sentKey) state.sentKey = ""; // let the next change or stroke try again
  state.controller = null;
  const message = err instanceof ServiceError
    ? err.message
    : "The service cannot be reached. Check that `inkread serve` is running, then draw again.";
  results.showError(message);
  results.blank();
  results.show("", "No result.", "error");
  announce(message);
}

function setMode(mode) {
  state.mode = mode;
  document.body.dataset.mode = mode;
  for (const el of document.querySelectorAll("[data-mode-text]")) el.hidden = el.dataset.modeText !== mode;
  $("char-view").hidden = mode !== "char";
  $("number-view").hidden = mode !== "number";
  $("board").classList.toggle("wide", mode === "number");
  pad.setAspect(MODES[mode].aspect);
  results.setChars([], 1, 1);
  state.sentKey = "";
  recognise(true);
}

// Ctrl+Z (Cmd+Z) undoes the last stroke, Esc clears, wherever the focus is.
function shortcuts(e) {
  if ((e.ctrlKey || e.metaKey) && !e.shiftKey && !e.altKey && e.key.toLowerCase() === "z") {
    e.preventDefault();
    pad.undo();
  } else if (e.key === "Escape") {
    pad.clear();
  }
}

// What the model is, once the service says it is ready (it may still be loading).
async function showModel(tries = 20) {
  const el = $("model");
  try {
    const response = await fetch("readyz", { headers: { Accept: "application/json" } });
    const body = await response.json().catch(() => null);
    if (response.ok && body && body.model) {
      el.textContent = `Model: ${body.model.name} (sha256 ${String(body.model.sha256).slice(0, 12)})`;
      return;
    }
    el.textContent = "The model is loading…";
    if (tries > 0) setTimeout(() => showModel(tries - 1), 1000);
  } catch {
    el.textContent = "The service cannot be reached.";
  }
}

const pad = new Pad($("ink"), $("cursor"), changed);
pad.onPen = (text) => {
  $("pen-status").textContent = text; // its own live region: pen moves never hide a result's announcement
};
$("undo").addEventListener("click", () => pad.undo());
$("clear").addEventListener("click", () => pad.clear());
for (const radio of document.querySelectorAll("input[name=mode]")) {
  radio.addEventListener("change", () => radio.checked && setMode(radio.value));
}
document.addEventListener("keydown", shortcuts);
const checked = document.querySelector("input[name=mode]:checked");
setMode(checked ? checked.value : "char");
showModel();
