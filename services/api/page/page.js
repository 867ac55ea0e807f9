// Selecta's listening page: plain JavaScript against the public API, no build step.
//
// Every API call goes through `api()` and every audio URL through `mediaUrl()`: those are the two places
// the listener token is added. The page holds no app key: `selecta serve` on loopback mints it a listener
// token for the profile it picks (`POST /v1/page/token`, which answers only this page on this machine). Errors are shown from the API's JSON error shape
// ({"error": {"code", "message", "status"}}) in one alert region, never swallowed.
"use strict";

const DEMO_PROFILES = ["demo-user-01", "demo-user-02", "demo-user-03", "demo-user-04", "demo-user-05"];
const MAX_RECORDING_MS = 20000;
const MIN_RECORDING_MS = 400;
const BUTTON_PHRASES = { like: "I like this", dislike: "I don't like this", skip: "skip" };
const INTENT_WORDS = {
  play: "play something specific",
  more_like_this: "more like this",
  energy_up: "more energy",
  energy_down: "calmer",
  tempo_up: "faster",
  tempo_down: "slower",
  skip: "skip this track",
  like: "you like this track",
  dislike: "you don't like this track",
  why: "why this track",
  out_of_scope: "not something a DJ can do",
};

const $ = (id) => document.getElementById(id);
const state = {
  session: null, features: null, marks: new Map(), previousUpcoming: null, recorder: null, mixPoll: null,
  token: null, tokenUser: null,
  // The mix stream in the <audio> element: the set position it starts at, its tracks, when each takes over
  // (from the session's `mix.handovers_s`) and which of them the element is playing now.
  mix: null, advancing: false, chartX: null,
};
const API = "/v1";

// -- talking to the API ---------------------------------------------------------------------------

class ApiError extends Error {
  constructor(status, code, message) {
    super(message);
    this.status = status;
    this.code = code;
  }
}

/** Headers every API call carries: the listener token of the profile in use, once the page has one. */
function authHeaders() {
  return state.token ? { Authorization: `Bearer ${state.token}` } : {};
}

/** A URL the browser fetches by itself (<audio src>): it cannot send headers, so the token rides along. */
function mediaUrl(path) {
  if (!state.token) return path;
  return `${path}${path.includes("?") ? "&" : "?"}access_token=${encodeURIComponent(state.token)}`;
}

/** A listener token for `profile`, minted by the server for this page (kept for the tab's lifetime). */
async function useProfile(profile) {
  if (state.token && state.tokenUser === profile) return;
  const saved = sessionStorage.getItem(`selecta.token.${profile}`);
  if (saved) {
    state.token = saved;
    state.tokenUser = profile;
    return;
  }
  state.token = null;
  const issued = await api(`${API}/page/token`, { method: "POST", json: { user_id: profile }, page: true });
  state.token = issued.token;
  state.tokenUser = profile;
  sessionStorage.setItem(`selecta.token.${profile}`, issued.token);
}

async function api(path, { method = "GET", json, body, page = false } = {}) {
  const init = { method, headers: { Accept: "application/json", ...authHeaders() } };
  if (page) init.headers["X-Selecta-Page"] = "1";
  if (json !== undefined) {
    init.body = JSON.stringify(json);
    init.headers["Content-Type"] = "application/json";
  } else if (body !== undefined) {
    init.body = body;
  }
  let response;
  try {
    response = await fetch(path, init);
  } catch (err) {
    throw new ApiError(0, "unreachable", "The Selecta server cannot be reached. Is `selecta serve` still running?");
  }
  const isJson = (response.headers.get("content-type") || "").includes("json");
  const data = isJson ? await response.json().catch(() => null) : null;
  if (!response.ok) {
    const error = data && data.error;
    throw new ApiError(
      response.status,
      (error && error.code) || "http_error",
      (error && error.message) || `The server answered ${response.status} ${response.statusText}.`,
    );
  }
  return data;
}

const ERROR_HINTS = {
  store_unavailable: "The DJ's memory (Redis) is not answering, so nothing can be saved or loaded right now.",
  audio_too_large: "That recording is too big to send. Keep spoken requests short.",
  no_speech: "The DJ heard no speech in that recording. Hold the button while you speak.",
  audio_decode_failed: "The recording could not be read as audio.",
  unreachable: "",
};

function showError(err) {
  const hint = ERROR_HINTS[err.code];
  const where = err.status ? ` (${err.code}, HTTP ${err.status})` : "";
  $("error-text").textContent = `${hint ? hint + " " : ""}${err.message}${where}`;
  $("error").hidden = false;
  setStatus("");
}

function clearError() {
  $("error").hidden = true;
  $("error-text").textContent = "";
}

function setStatus(text) {
  $("status").textContent = text;
}

/** Run an action with the given buttons disabled, showing any failure in the alert region. */
async function busy(buttons, label, action) {
  clearError();
  buttons.forEach((b) => (b.disabled = true));
  if (label) setStatus(label);
  try {
    return await action();
  } catch (err) {
    showError(err instanceof ApiError ? err : new ApiError(0, "page_error", String(err.message || err)));
    return undefined;
  } finally {
    buttons.forEach((b) => (b.disabled = false));
  }
}

// -- the session ----------------------------------------------------------------------------------

async function startSet(event) {
  event.preventDefault();
  const profile = $("profile").value.trim();
  const body = {
    user_id: profile,
    n_tracks: Number($("length").value),
    arc: $("arc").value,
    discovery: Number($("discovery").value),
    length: $("track-length").value,
  };
  await busy([$("start-button")], "Planning your set…", async () => {
    await useProfile(profile);
    const session = await api(`${API}/sessions`, { method: "POST", json: body });
    rememberProfile(profile);
    state.marks.clear();
    state.previousUpcoming = null;
    history.replaceState(null, "", `?session=${encodeURIComponent(session.session_id)}`);
    await showSession(session);
    setStatus(`Your set is ready: ${session.count} tracks.`);
    $("now-h").focus(); // keyboard and screen-reader users land on what plays
  });
}

async function showSession(session) {
  const changed = state.session && state.session.session_id === session.session_id &&
    setIds(state.session) !== setIds(session) && !mixPlaysSession(session);
  state.session = session;
  try {
    state.features = await api(`${API}/sessions/${encodeURIComponent(session.session_id)}/features`);
  } catch (err) {
    state.features = null;
    showError(err);
  }
  render();
  if (changed && !$("mix").paused) playMix();
}

function setIds(session) {
  return [session.position, ...session.upcoming.map((t) => t.track_id)].join(" ");
}

function featuresOf(trackId) {
  const tracks = state.features ? state.features.tracks : [];
  return tracks.find((t) => t.track_id === trackId) || null;
}

/** The mix in the player still plays this session as it stands: the same tracks from the one it is on. */
function mixPlaysSession(session) {
  const m = state.mix;
  if (!m || m.sessionId !== session.session_id || !session.playing) return false;
  const rest = [session.playing.track_id, ...session.upcoming.map((t) => t.track_id)];
  const offset = session.position - m.from;
  return offset === m.current && m.ids.length - offset === rest.length &&
    rest.every((id, i) => m.ids[offset + i] === id);
}

// -- profiles -------------------------------------------------------------------------------------

function names(text) {
  return text.split(",").map((t) => t.trim()).filter(Boolean);
}

/** A new listener profile, seeded with the artists and tags typed (the API says which it did not know). */
async function createProfile(event) {
  event.preventDefault();
  const profile = $("new-name").value.trim();
  if (!profile) return;
  const body = { user_id: profile, artists: names($("new-artists").value), tags: names($("new-tags").value) };
  await busy([$("create-profile")], "Creating your profile…", async () => {
    await useProfile(profile);
    const made = await api(`${API}/profiles`, { method: "POST", json: body });
    rememberProfile(profile);
    $("profile").value = profile;
    $("new-profile").open = false;
    const seeded = made.seeded.length;
    setStatus(`Profile “${profile}” created${seeded ? `, starting from ${seeded} liked track${seeded > 1 ? "s" : ""}` : ""}. Start a set when you are ready.`);
    $("start-button").focus();
  });
}

/** The listener changes the track length of the running set; a playing mix restarts in the new length. */
async function changeLength() {
  const s = state.session;
  const length = $("mix-length").value;
  if (!s || s.length === length) return;
  await busy([$("mix-length")], "Changing the track length…", async () => {
    const session = await api(`${API}/sessions/${encodeURIComponent(s.session_id)}`, { method: "PATCH", json: { length } });
    await showSession(session);
    setStatus(`Track length: ${$("mix-length").selectedOptions[0].textContent}.`);
    if (!$("mix").paused) playMix();
  });
  $("mix-length").value = state.session.length;
}

function showDiscovery() {
  const value = Number($("discovery").value);
  const words = value === 0 ? "familiar artists" : value >= 1 ? "only artists new to you" : value < 0.5 ? "mostly familiar" : "mostly new to you";
  const text = `${value.toFixed(1).replace(".0", "")}: ${words}`;
  $("discovery-value").textContent = text;
  $("discovery").setAttribute("aria-valuetext", text);
}

// -- rendering ------------------------------------------------------------------------------------

function el(tag, props = {}, ...children) {
  const node = document.createElement(tag);
  for (const [k, v] of Object.entries(props)) {
    if (k === "class") node.className = v;
    else if (k.startsWith("aria-") || k.startsWith("data-")) node.setAttribute(k, v);
    else node[k] = v;
  }
  for (const child of children) if (child != null) node.append(child);
  return node;
}

function facts(trackId) {
  const f = featuresOf(trackId);
  if (!f || f.bpm == null) return el("p", { class: "facts" }, "Tempo, key and energy not analysed yet.");
  const energy = el("span", { class: "meter", "aria-hidden": "true" });
  energy.style.setProperty("--level", String(f.energy));
  return el(
    "ul",
    { class: "facts", "aria-label": "Tempo, key and energy" },
    el("li", {}, `${Math.round(f.bpm)} BPM`),
    el("li", {}, `Key ${f.camelot} (${f.key})`),
    el("li", {}, `Energy ${Math.round(f.energy * 100)}%`, energy),
  );
}

function titleOf(track) {
  return `${track.title || track.track_id}${track.artist ? " — " + track.artist : ""}`;
}

function trackBody(track) {
  const parts = [
    el("p", { class: "title" }, el("strong", {}, track.title || track.track_id), track.artist ? ` — ${track.artist}` : ""),
    facts(track.track_id),
    track.reason ? el("p", { class: "why" }, el("span", { class: "label" }, "Why: "), track.reason) : null,
    track.transition ? el("p", { class: "mixin" }, el("span", { class: "label" }, "Mix in: "), track.transition) : null,
  ];
  return parts.filter((part) => part != null);
}

function render() {
  const s = state.session;
  ["now", "talk", "queue", "picture"].forEach((id) => ($(id).hidden = false));
  $("main").classList.add("has-session");
  $("start-h").textContent = "Start another set";
  $("position").textContent = s.playing ? `Track ${s.position + 1} of ${s.count}` : "The set has ended.";
  $("now-track").replaceChildren(...(s.playing ? trackBody(s.playing) : []));
  $("now-track").dataset.trackId = s.playing ? s.playing.track_id : "";
  const mark = s.playing && state.marks.get(s.playing.track_id);
  $("like").setAttribute("aria-pressed", String(mark === "liked"));
  $("dislike").setAttribute("aria-pressed", String(mark === "disliked"));
  $("mix-length").value = s.length || "dj";

  const before = state.previousUpcoming;
  const fresh = before ? s.upcoming.filter((t) => !before.includes(t.track_id)).length : 0;
  $("upcoming").replaceChildren(...s.upcoming.map((t, i) => queueItem(t, s.position + i + 2, before)));
  if (!s.upcoming.length) $("upcoming").append(el("li", { class: "empty" }, "Nothing after this track."));
  if (before && fresh) setStatus(`The queue changed: ${fresh} new track${fresh > 1 ? "s" : ""} coming up.`);
  state.previousUpcoming = s.upcoming.map((t) => t.track_id);

  $("played-summary").textContent = `Played (${s.played.length})`;
  $("played").replaceChildren(
    ...s.played.map((id) => {
      const f = featuresOf(id);
      return el("li", {}, f ? titleOf(f) : id);
    }),
  );
  drawSet($("chart"), state.features, s);
}

function queueItem(track, number, before) {
  const mark = state.marks.get(track.track_id);
  const name = track.title || track.track_id;
  const like = el("button", { type: "button", class: "pill small", "aria-pressed": String(mark === "liked"),
    "aria-label": `Like ${name}` }, "Like");
  const dislike = el("button", { type: "button", class: "pill small", "aria-pressed": String(mark === "disliked"),
    "aria-label": `Dislike ${name}` }, "Dislike");
  like.addEventListener("click", () => markTrack(track, "liked", [like, dislike]));
  dislike.addEventListener("click", () => markTrack(track, "disliked", [like, dislike]));
  const isNew = before && !before.includes(track.track_id);
  return el(
    "li",
    { class: isNew ? "track new" : "track", "data-track-id": track.track_id },
    el("span", { class: "number", "aria-hidden": "true" }, String(number)),
    el("div", { class: "body" }, ...trackBody(track), isNew ? el("p", { class: "badge" }, "New in the queue") : null),
    el("div", { class: "actions", role: "group", "aria-label": `Feedback on ${name}` }, like, dislike),
  );
}

/** Like or dislike a track in the queue: a listening event the recommender reads for what comes next. */
async function markTrack(track, reason, buttons) {
  await busy(buttons, "", async () => {
    await api(`${API}/events`, {
      method: "POST",
      json: { events: [{ user_id: state.session.user_id, track_id: track.track_id, reason }] },
    });
    state.marks.set(track.track_id, reason);
    render();
    setStatus(`Noted: you ${reason === "liked" ? "like" : "don't like"} ${track.title || track.track_id}.`);
  });
}

// -- requests: buttons, typed, spoken -------------------------------------------------------------

async function sendText(text, buttons) {
  const sid = encodeURIComponent(state.session.session_id);
  return busy(buttons, "The DJ is thinking…", async () => {
    const result = await api(`${API}/sessions/${sid}/requests`, { method: "POST", json: { text } });
    await showReply(result);
    return result;
  });
}

async function playingButton(kind) {
  const playing = state.session.playing;
  const result = await sendText(BUTTON_PHRASES[kind], [$("like"), $("dislike"), $("skip")]);
  if (result && playing && kind !== "skip") state.marks.set(playing.track_id, kind === "like" ? "liked" : "disliked");
  if (result) render();
}

async function showReply(result) {
  const heard = result.transcript
    ? `You said: “${result.transcript.text.trim()}”`
    : `You asked: “${result.intent.text}”`;
  $("reply-heard").textContent = heard;
  $("reply-intent").textContent = `Understood: ${describeIntent(result.intent)}` +
    (result.replanned ? ". The DJ re-planned what comes next." : ".");
  $("reply-answer").textContent = `DJ: ${result.answer}`;
  $("reply").hidden = false;
  await showSession(result.session);
  setStatus(`The DJ answered: ${result.answer}`);
  if (result.answer_audio_url) {
    const audio = $("answer-audio");
    audio.src = mediaUrl(result.answer_audio_url);
    audio.play().catch(() => setStatus("Press play on the DJ's answer to hear it."));
  }
}

function describeIntent(intent) {
  const words = INTENT_WORDS[intent.kind] || intent.kind;
  const slots = intent.slots
    .map((s) => (s.entity ? `${s.name} “${s.entity.name}”` : `${s.name} “${s.value}”${s.available ? "" : " (not in the catalogue)"}`))
    .join(", ");
  return `${words}${slots ? " — " + slots : ""} (confidence ${Math.round(intent.confidence * 100)}%)`;
}

async function askTyped(event) {
  event.preventDefault();
  const text = $("ask").value.trim();
  if (!text) return;
  const result = await sendText(text, [$("ask-button")]);
  if (result) $("ask").value = "";
}

// Hold to talk: record while the button is held (pointer, or Space/Enter), send on release.

async function startRecording() {
  if (state.recorder) return;
  clearError();
  const rec = { chunks: [], released: false, started: performance.now(), media: null, stream: null };
  state.recorder = rec;
  $("hold").setAttribute("aria-pressed", "true");
  $("hold").classList.add("recording");
  $("hold").textContent = "Listening… let go to send";
  try {
    if (!navigator.mediaDevices || !window.MediaRecorder) {
      throw new ApiError(0, "no_recorder", "This browser cannot record audio here (it needs https or localhost, and MediaRecorder). Type your request instead.");
    }
    rec.stream = await navigator.mediaDevices.getUserMedia({ audio: true });
    rec.media = new MediaRecorder(rec.stream);
    rec.media.addEventListener("dataavailable", (e) => e.data.size && rec.chunks.push(e.data));
    rec.media.start();
    rec.started = performance.now();
    rec.timer = setTimeout(() => stopRecording(), MAX_RECORDING_MS);
    if (rec.released) stopRecording();
  } catch (err) {
    resetHold();
    showError(microphoneError(err));
  }
}

function microphoneError(err) {
  if (err instanceof ApiError) return err;
  if (err.name === "NotAllowedError" || err.name === "SecurityError") {
    return new ApiError(0, "microphone_refused", "Microphone access was refused. Allow the microphone for this page in the browser's site settings, or type your request instead.");
  }
  if (err.name === "NotFoundError") return new ApiError(0, "no_microphone", "No microphone was found. Type your request instead.");
  return new ApiError(0, "microphone_error", `The microphone could not be started: ${err.message || err.name}.`);
}

function resetHold() {
  const rec = state.recorder;
  if (rec && rec.stream) rec.stream.getTracks().forEach((t) => t.stop());
  if (rec && rec.timer) clearTimeout(rec.timer);
  state.recorder = null;
  $("hold").setAttribute("aria-pressed", "false");
  $("hold").classList.remove("recording");
  $("hold").textContent = "Hold to talk";
}

function stopRecording() {
  const rec = state.recorder;
  if (!rec) return;
  rec.released = true;
  if (!rec.media) return; // still waiting for the microphone: startRecording stops once it has it
  if (rec.media.state === "inactive") return;
  const heldMs = performance.now() - rec.started;
  rec.media.addEventListener("stop", () => {
    const blob = new Blob(rec.chunks, { type: rec.media.mimeType || "audio/webm" });
    resetHold();
    if (heldMs < MIN_RECORDING_MS) {
      showError(new ApiError(0, "too_short", "That was too short to hear. Hold the button while you speak."));
      return;
    }
    sendAudio(blob);
  });
  rec.media.stop();
}

async function sendAudio(blob) {
  const form = new FormData();
  const ext = blob.type.includes("ogg") ? "ogg" : blob.type.includes("mp4") ? "m4a" : "webm";
  form.append("file", blob, `request.${ext}`);
  const sid = encodeURIComponent(state.session.session_id);
  await busy([$("hold")], "The DJ is listening to your request…", async () => {
    const result = await api(`${API}/sessions/${sid}/requests/audio`, { method: "POST", body: form });
    await showReply(result);
  });
}

function bindHold(button) {
  button.addEventListener("pointerdown", (e) => {
    e.preventDefault();
    button.setPointerCapture(e.pointerId);
    startRecording();
  });
  ["pointerup", "pointercancel"].forEach((t) => button.addEventListener(t, () => stopRecording()));
  button.addEventListener("keydown", (e) => {
    if ((e.key === " " || e.key === "Enter") && !e.repeat) {
      e.preventDefault();
      startRecording();
    }
  });
  button.addEventListener("keyup", (e) => {
    if (e.key === " " || e.key === "Enter") {
      e.preventDefault();
      stopRecording();
    }
  });
  button.addEventListener("contextmenu", (e) => e.preventDefault());
}

// -- the mix --------------------------------------------------------------------------------------

/** Ogg/Opus where the browser plays it (a fifteenth of WAV's bit rate), else MP3, else WAV. */
function mixFormat() {
  const audio = $("mix");
  if (audio.canPlayType('audio/ogg; codecs="opus"')) return "opus";
  if (audio.canPlayType("audio/mpeg")) return "mp3";
  return "wav";
}

function mixPath() {
  return `${API}/sessions/${encodeURIComponent(state.session.session_id)}/mix?format=${mixFormat()}`;
}

function playMix() {
  const audio = $("mix");
  const s = state.session;
  clearError();
  if (!s.playing) return;
  state.mix = {
    sessionId: s.session_id,
    from: s.position,
    ids: [s.playing.track_id, ...s.upcoming.map((t) => t.track_id)],
    handovers: [],
    current: 0,
  };
  audio.src = mediaUrl(`${mixPath()}&t=${Date.now()}`); // a fresh render from the playing track
  $("mix-status").textContent = `Mixing from track ${state.session.position + 1}… the first audio arrives in a few seconds.`;
  audio.play().catch((err) => {
    if (err.name === "NotAllowedError") $("mix-status").textContent = "Press play on the player to start the mix.";
  });
}

/** The <audio> element hides the reason it failed: ask the API the same thing and show its JSON error. */
async function explainMixError() {
  const controller = new AbortController();
  try {
    const response = await fetch(mediaUrl(mixPath()), { headers: authHeaders(), signal: controller.signal });
    controller.abort();
    if (!response.ok) {
      const data = await response.json().catch(() => null);
      const e = data && data.error;
      showError(new ApiError(response.status, (e && e.code) || "http_error", (e && e.message) || "The mix could not be streamed."));
      return;
    }
    showError(new ApiError(0, "playback_failed", "The browser could not play the mix stream."));
  } catch (err) {
    if (err.name !== "AbortError") showError(new ApiError(0, "unreachable", "The Selecta server cannot be reached."));
  }
}

/** While the mix plays, say how far the render has come; re-render only when the set itself changed
 * (another client asked for something), so keyboard focus in the queue is not lost every few seconds. */
async function followMix() {
  if (!state.session) return;
  let session;
  try {
    session = await api(`${API}/sessions/${encodeURIComponent(state.session.session_id)}`);
  } catch (err) {
    showError(err);
    return;
  }
  const mix = session.mix;
  const m = state.mix;
  if (m && mix && mix.from_position === m.from && mix.handovers_s.length === m.ids.length) m.handovers = mix.handovers_s;
  if (setIds(session) !== setIds(state.session)) await showSession(session);
  if (mix && mix.state === "rendering") {
    $("mix-status").textContent = `Playing; mixed ${minutes(mix.rendered_s)} of ${minutes(mix.duration_s)} so far.`;
  } else if (mix && mix.state === "done") {
    $("mix-status").textContent = `Playing; the whole set (${minutes(mix.duration_s)}) is mixed.`;
  }
}

function minutes(seconds) {
  const s = Math.round(seconds);
  return `${Math.floor(s / 60)}:${String(s % 60).padStart(2, "0")}`;
}

function bindResize() {
  let pending = null;
  window.addEventListener("resize", () => {
    clearTimeout(pending);
    pending = setTimeout(() => state.session && drawSet($("chart"), state.features, state.session), 150);
  });
}

function bindMix() {
  const audio = $("mix");
  // The DJ's answer is heard over the mix: the mix ducks while it speaks.
  const answer = $("answer-audio");
  answer.addEventListener("play", () => (audio.volume = 0.3));
  ["pause", "ended"].forEach((t) => answer.addEventListener(t, () => (audio.volume = 1)));
  audio.addEventListener("playing", () => {
    $("mix-status").textContent = `Playing the mix from track ${state.session.position + 1} of ${state.session.count}.`;
    clearInterval(state.mixPoll);
    state.mixPoll = setInterval(followMix, 5000);
    followMix(); // the hand-over times, as soon as the render has laid out the set
  });
  audio.addEventListener("timeupdate", followPosition);
  ["pause", "ended", "emptied"].forEach((t) => audio.addEventListener(t, () => clearInterval(state.mixPoll)));
  audio.addEventListener("error", () => {
    if (!audio.getAttribute("src")) return;
    $("mix-status").textContent = "The mix stopped.";
    explainMixError();
  });
}

/** Which track of the mix the player is on (the last hand-over before its current time). When it moves
 * on, the session advances to it, so the queue, the picture and the DJ's answers are about what is heard. */
function followPosition() {
  const m = state.mix;
  if (!m || !m.handovers.length || !state.session || state.session.session_id !== m.sessionId) return;
  const t = $("mix").currentTime;
  let k = 0;
  while (k + 1 < m.handovers.length && m.handovers[k + 1] <= t) k += 1;
  movePlayhead(m.from + k, t - m.handovers[k], (m.handovers[k + 1] || Infinity) - m.handovers[k]);
  if (k === m.current) return;
  m.current = k;
  catchUp();
}

/** Advance the session, one track at a time, until it plays what the mix plays. */
async function catchUp() {
  if (state.advancing) return;
  state.advancing = true;
  try {
    const m = state.mix;
    let s = state.session;
    while (m && s.playing && s.position < m.from + m.current && s.upcoming.length) {
      s = await api(`${API}/sessions/${encodeURIComponent(s.session_id)}/advance`, { method: "POST" });
    }
    if (s !== state.session) {
      await showSession(s);
      setStatus(`Now playing: ${titleOf(s.playing)}.`);
    }
  } catch (err) {
    showError(err);
  } finally {
    state.advancing = false;
  }
}

/** The playhead on the picture: ``into`` seconds of ``span`` through the set's track ``index``. */
function movePlayhead(index, into, span) {
  const head = document.getElementById("playhead");
  if (!head || !state.chartX) return;
  const x = state.chartX(index, Math.max(0, Math.min(1, into / (Number.isFinite(span) ? span : 1e9))));
  head.setAttribute("x1", x.toFixed(1));
  head.setAttribute("x2", x.toFixed(1));
  head.removeAttribute("visibility");
}

// -- the picture of the set -----------------------------------------------------------------------

const SVG_NS = "http://www.w3.org/2000/svg";

function svg(tag, attrs = {}, ...children) {
  const node = document.createElementNS(SVG_NS, tag);
  for (const [k, v] of Object.entries(attrs)) node.setAttribute(k, String(v));
  for (const child of children) if (child != null) node.append(child);
  return node;
}

function camelotColour(code) {
  const m = /^(\d+)([AB])$/.exec(code || "");
  if (!m) return "#888";
  const hue = ((Number(m[1]) - 1) * 30 + 200) % 360;
  return `hsl(${hue} 55% ${m[2] === "A" ? 32 : 25}%)`; // dark enough for white labels (>= 4.5:1)
}

/** Energy, tempo and key over the set as an SVG, from /features (time = the tracks' durations in order). */
function drawSet(host, features, session) {
  const tracks = features ? features.tracks : [];
  if (!tracks.length) {
    host.replaceChildren(el("p", { class: "help" }, "No picture: the set's audio features are not available."));
    return;
  }
  // Drawn at the width it is shown at, so labels keep their size on a phone; redrawn on resize.
  const W = Math.max(300, Math.round(host.clientWidth || 900));
  const left = W < 500 ? 50 : 70, right = 12, top = 16;
  const lane = { energy: [top, 110], tempo: [140, 80], key: [236, 30] };
  const H = 300;
  const durations = tracks.map((t) => t.duration_s || 180);
  const starts = durations.reduce((acc, d, i) => [...acc, acc[i] + d], [0]);
  const total = starts[starts.length - 1];
  const x = (s) => left + ((W - left - right) * s) / total;
  const bpms = tracks.map((t) => t.bpm).filter((b) => b != null);
  const lo = Math.min(...bpms) - 4, hi = Math.max(...bpms) + 4;
  const yTempo = (b) => lane.tempo[0] + lane.tempo[1] * (1 - (b - lo) / (hi - lo || 1));
  const yEnergy = (e) => lane.energy[0] + lane.energy[1] * (1 - e);

  const title = svg("title", { id: "chart-title" });
  title.textContent = "The set over time: energy, tempo and key of each track";
  const desc = svg("desc", { id: "chart-desc" });
  desc.textContent = tracks
    .map((t, i) => `${i + 1}. ${t.title || t.track_id}: ${t.bpm != null ? Math.round(t.bpm) + " BPM, key " + t.camelot + ", energy " + Math.round(t.energy * 100) + "%" : "not analysed"}`)
    .join("; ");
  const root = svg("svg", { viewBox: `0 0 ${W} ${H}`, role: "img", "aria-labelledby": "chart-title chart-desc", class: "set-svg" }, title, desc);

  // Played tracks greyed, the playing one highlighted.
  const pos = session.position;
  if (pos > 0) root.append(svg("rect", { x: x(0), y: top - 8, width: x(starts[pos]) - x(0), height: H - top - 20, class: "played-zone" }));
  if (pos < tracks.length) root.append(svg("rect", { x: x(starts[pos]), y: top - 8, width: x(starts[pos + 1]) - x(starts[pos]), height: H - top - 20, class: "playing-zone" }));

  // Lane labels and grid.
  [["Energy", lane.energy], ["Tempo", lane.tempo], ["Key", lane.key]].forEach(([name, [y0, h]]) => {
    const label = svg("text", { x: 8, y: y0 + h / 2 + 4, class: "lane-label" });
    label.textContent = name;
    root.append(label, svg("line", { x1: left, x2: W - right, y1: y0 + h, y2: y0 + h, class: "grid" }));
  });
  [[lo + 4, "min"], [hi - 4, "max"]].forEach(([b]) => {
    const t = svg("text", { x: left - 6, y: yTempo(b) + 4, class: "tick", "text-anchor": "end" });
    t.textContent = `${Math.round(b)}`;
    root.append(t);
  });

  // Energy: the curve within each track, over the set.
  const points = [];
  tracks.forEach((t, i) => {
    const curve = t.energy_curve && t.energy_curve.length ? t.energy_curve : t.energy != null ? [t.energy, t.energy] : [];
    curve.forEach((e, k) => points.push([x(starts[i] + (durations[i] * k) / Math.max(1, curve.length - 1)), yEnergy(e)]));
  });
  if (points.length) {
    const line = points.map(([px, py], k) => `${k ? "L" : "M"}${px.toFixed(1)},${py.toFixed(1)}`).join("");
    const base = yEnergy(0);
    root.append(svg("path", { d: `${line}L${points[points.length - 1][0].toFixed(1)},${base}L${points[0][0].toFixed(1)},${base}Z`, class: "energy-area" }));
    root.append(svg("path", { d: line, class: "energy-line" }));
  }

  // Tempo: one step per track; key: a coloured block per track with its Camelot code.
  tracks.forEach((t, i) => {
    const x0 = x(starts[i]), x1 = x(starts[i + 1]);
    if (t.bpm != null) {
      root.append(svg("line", { x1: x0 + 2, x2: x1 - 2, y1: yTempo(t.bpm), y2: yTempo(t.bpm), class: "tempo-step" }));
    }
    if (t.bpm != null && x1 - x0 >= 28) {
      const label = svg("text", { x: (x0 + x1) / 2, y: yTempo(t.bpm) - 6, class: "tempo-label", "text-anchor": "middle" });
      label.textContent = `${Math.round(t.bpm)}`;
      root.append(label);
    }
    const block = svg("rect", { x: x0 + 1, y: lane.key[0], width: Math.max(1, x1 - x0 - 2), height: lane.key[1], rx: 4, fill: camelotColour(t.camelot), class: "key-block" });
    const tip = svg("title");
    tip.textContent = `${t.title || t.track_id}: ${t.key || "key unknown"}`;
    block.append(tip);
    root.append(block);
    if (x1 - x0 >= 28) {
      const code = svg("text", { x: (x0 + x1) / 2, y: lane.key[0] + 20, class: "key-label", "text-anchor": "middle" });
      code.textContent = t.camelot || "?";
      root.append(code);
    }
  });

  // Transitions: a dashed line at each hand-over, with the planner's reason as its tooltip.
  const byId = new Map([session.playing, ...session.upcoming].filter(Boolean).map((t) => [t.track_id, t]));
  tracks.slice(1).forEach((t, k) => {
    const xt = x(starts[k + 1]);
    const mark = svg("g", { class: "transition" });
    const tip = svg("title");
    const planned = byId.get(t.track_id);
    tip.textContent = planned && planned.transition ? `Into ${t.title}: ${planned.transition}` : `Into ${t.title || t.track_id}`;
    mark.append(tip, svg("line", { x1: xt, x2: xt, y1: top - 8, y2: H - 28, class: "transition-line" }),
      svg("path", { d: `M${xt - 5},${top - 8}L${xt + 5},${top - 8}L${xt},${top - 1}Z`, class: "transition-mark" }));
    root.append(mark);
  });

  // The playhead: where the player is (moved by followPosition as the mix plays).
  state.chartX = (index, fraction) => x(starts[Math.min(index, tracks.length - 1)] + fraction * durations[Math.min(index, tracks.length - 1)]);
  root.append(svg("line", { id: "playhead", class: "playhead", x1: x(starts[pos] || 0), x2: x(starts[pos] || 0), y1: top - 8, y2: H - 28, visibility: "hidden" }));

  // Time axis in minutes.
  const minutes = [1, 2, 5, 10, 15, 30, 60].find((m) => ((W - left - right) * m * 60) / total >= 70) || 60;
  const step = minutes * 60;
  for (let s = 0; s <= total; s += step) {
    const t = svg("text", { x: x(s), y: H - 8, class: "tick", "text-anchor": "middle" });
    t.textContent = `${Math.round(s / 60)} min`;
    root.append(t);
  }
  host.replaceChildren(root);
}

// -- profiles and start-up ------------------------------------------------------------------------

function knownProfiles() {
  try {
    return JSON.parse(localStorage.getItem("selecta.profiles") || "[]");
  } catch {
    return [];
  }
}

function rememberProfile(profile) {
  const list = [profile, ...knownProfiles().filter((p) => p !== profile)].slice(0, 10);
  try {
    localStorage.setItem("selecta.profiles", JSON.stringify(list));
  } catch {
    /* private mode: profiles are simply not remembered */
  }
  fillProfiles();
}

function fillProfiles() {
  const mine = knownProfiles();
  const all = [...mine, ...DEMO_PROFILES.filter((p) => !mine.includes(p))];
  $("profiles").replaceChildren(...all.map((p) => el("option", { value: p }, p.startsWith("demo-user-") ? "demo listener (synthetic history)" : "")));
  if (!$("profile").value) $("profile").value = all[0];
}

async function restore() {
  const sid = new URLSearchParams(location.search).get("session");
  if (!sid) return;
  await busy([], "Loading your set…", async () => {
    await useProfile($("profile").value.trim());
    await showSession(await api(`${API}/sessions/${encodeURIComponent(sid)}`));
    setStatus("");
  });
}

async function checkHealth() {
  try {
    const health = await api("/health");
    if (!health.tracks) setStatus("The catalogue is empty: import music first (selecta demo, or selecta import).");
  } catch (err) {
    showError(err);
  }
}

function init() {
  fillProfiles();
  $("start-form").addEventListener("submit", startSet);
  $("profile-form").addEventListener("submit", createProfile);
  $("discovery").addEventListener("input", showDiscovery);
  // The player's length control offers the start form's choices (one list of them, in the HTML).
  $("mix-length").replaceChildren(...[...$("track-length").options].map((o) => o.cloneNode(true)));
  $("mix-length").addEventListener("change", changeLength);
  showDiscovery();
  $("ask-form").addEventListener("submit", askTyped);
  $("error-close").addEventListener("click", clearError);
  $("like").addEventListener("click", () => playingButton("like"));
  $("dislike").addEventListener("click", () => playingButton("dislike"));
  $("skip").addEventListener("click", () => playingButton("skip"));
  $("play").addEventListener("click", playMix);
  bindHold($("hold"));
  bindMix();
  bindResize();
  checkHealth();
  restore();
}

document.addEventListener("DOMContentLoaded", init);
