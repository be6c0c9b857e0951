// The live page: one EventSource, the DOM built from its events with textContent only (job data is untrusted).
"use strict";

const state = { user: "", clients: [], jobs: new Map(), images: {}, detailId: null };
const $ = (id) => document.getElementById(id);
const TERMINAL = new Set(["completed", "failed", "timeout", "cancelled", "lost"]);

function el(tag, props = {}, ...children) {
  const node = document.createElement(tag);
  for (const [key, value] of Object.entries(props)) {
    if (key === "dataset") Object.assign(node.dataset, value);
    else if (key in node) node[key] = value;
    else node.setAttribute(key, value);
  }
  for (const child of children) if (child !== null && child !== undefined) node.append(child);
  return node;
}

function seconds(job) {
  const end = TERMINAL.has(job.status) ? Date.parse(job.updated_at) : Date.now();
  return Math.max(0, (end - Date.parse(job.created_at)) / 1000);
}

const duration = (s) => (s < 60 ? `${s.toFixed(1)} s` : `${Math.floor(s / 60)} min ${Math.round(s % 60)} s`);
const labelOf = (uuid) => state.clients.find((c) => c.uuid === uuid)?.label ?? uuid;
const sender = (job) => job.client ?? (job.sent_by ? `session ${job.sent_by.slice(0, 8)}` : "another process");

function renderClients() {
  const list = $("clients");
  list.replaceChildren(
    ...state.clients.map((c) => {
      const imageJob = state.images[c.uuid];
      return el(
        "li",
        { className: "client", dataset: { uuid: c.uuid, clientType: c.client_type, state: c.state } },
        el("div", { className: "client-head" }, el("strong", { className: "label" }, c.label), el("span", { className: `badge type` }, c.client_type), el("span", { className: `badge ${c.state}` }, c.state)),
        el(
          "dl",
          {},
          el("dt", {}, "version"), el("dd", { className: "version" }, c.blender_version),
          el("dt", {}, "file"), el("dd", { className: "file" }, c.blend_file || "(unsaved)"),
          el("dt", {}, "queue"), el("dd", { className: "queue" }, String(c.queue_depth)),
          el("dt", {}, "uuid"), el("dd", { className: "uuid" }, c.uuid),
        ),
        imageJob
          ? el("img", { className: "shot", src: `/page/api/jobs/${encodeURIComponent(imageJob)}/image`, alt: `latest image from ${c.label} (job ${imageJob})` })
          : el("p", { className: "shot empty" }, "no screenshot or render yet"),
      );
    }),
  );
  $("client-count").textContent = String(state.clients.length);
  $("no-clients").hidden = state.clients.length > 0;
}

const rows = new Map();

/** A job's row, made once and filled in place, so a button under the pointer survives progress events. */
function jobRow(jobId) {
  let row = rows.get(jobId);
  if (row) return row;
  row = el("tr", { tabIndex: 0, dataset: { jobId } }, ...Array.from({ length: 7 }, () => el("td")));
  ["command", "target", "sender", "status", "duration", "progress", "actions"].forEach((name, i) => (row.cells[i].className = name));
  row.addEventListener("click", (event) => {
    const button = event.target.closest("button.cancel");
    if (button) return cancel(jobId, button);
    showDetail(jobId);
  });
  row.addEventListener("keydown", (event) => {
    if (event.key === "Enter" && event.target === row) showDetail(jobId);
  });
  rows.set(jobId, row);
  return row;
}

function fillRow(row, job) {
  const progress = job.progress;
  row.className = `job ${job.status}`;
  row.dataset.status = job.status;
  row.setAttribute("aria-label", `${job.command} ${job.status}; Enter shows its detail`);
  const [command, target, sender_, status, time, bar, actions] = row.cells;
  command.textContent = job.command;
  target.textContent = labelOf(job.target_uuid);
  sender_.textContent = sender(job);
  status.replaceChildren(
    el("span", { className: `badge ${job.status}` }, job.status + (job.late ? " (late)" : "")),
    job.error ? el("div", { className: "error-line", title: job.error }, job.error.split("\n").filter(Boolean).pop()) : "",
  );
  time.textContent = duration(seconds(job));
  bar.replaceChildren(
    progress && progress.total ? el("progress", { max: progress.total, value: progress.progress }) : job.status === "running" ? el("progress") : "",
    progress?.message ? el("span", { className: "progress-text" }, progress.message) : "",
  );
  const button = actions.querySelector("button.cancel");
  if (TERMINAL.has(job.status)) button?.remove();
  else if (!button) actions.append(el("button", { type: "button", className: "cancel", textContent: "Cancel", "aria-label": `Cancel ${job.command} ${job.job_id}` }));
}

function renderJobs() {
  const jobs = [...state.jobs.values()].sort((a, b) => b.created_at.localeCompare(a.created_at));
  const body = $("jobs").tBodies[0];
  jobs.forEach((job, i) => {
    const row = jobRow(job.job_id);
    fillRow(row, job);
    if (body.rows[i] !== row) body.insertBefore(row, body.rows[i] ?? null);
  });
  while (body.rows.length > jobs.length) rows.delete(body.lastElementChild.dataset.jobId), body.lastElementChild.remove();
  $("job-count").textContent = String(jobs.length);
  $("no-jobs").hidden = jobs.length > 0;
  $("jobs").hidden = jobs.length === 0;
}

async function cancel(jobId, button) {
  button.disabled = true;
  const answer = await fetch(`/page/api/jobs/${encodeURIComponent(jobId)}/cancel`, { method: "POST" });
  if (!answer.ok) {
    button.disabled = false;
    button.title = (await answer.json()).error;
    setLink("error", `cancel refused: ${button.title}`);
  }
}

const pretty = (value) => (value === null || value === undefined ? "—" : typeof value === "string" ? value : JSON.stringify(value, null, 2));

async function showDetail(jobId) {
  state.detailId = jobId;
  const answer = await fetch(`/page/api/jobs/${encodeURIComponent(jobId)}`);
  if (state.detailId !== jobId) return;
  const aside = $("detail");
  if (!answer.ok) return setLink("error", (await answer.json()).error);
  const job = await answer.json();
  aside.dataset.jobId = jobId;
  aside.dataset.status = job.status;
  $("detail-title").textContent = `${job.command} · ${job.job_id}`;
  $("detail-meta").replaceChildren(
    ...[["status", job.status], ["Blender", labelOf(job.target_uuid)], ["sent by", sender(job)], ["created", job.created_at], ["time", duration(seconds(job))]].flatMap(([k, v]) => [el("dt", {}, k), el("dd", {}, v)]),
  );
  $("detail-params").textContent = job.params === null ? "(sent through another server process)" : pretty(job.params);
  $("detail-result").textContent = pretty(job.result);
  $("detail-stdout").textContent = pretty(job.stdout);
  $("detail-traceback").textContent = pretty(job.traceback ?? (job.error || null));
  const wasHidden = aside.hidden;
  aside.hidden = false;
  if (wasHidden) aside.focus();
}

function closeDetail() {
  const id = state.detailId;
  state.detailId = null;
  $("detail").hidden = true;
  if (id) document.querySelector(`tr.job[data-job-id="${CSS.escape(id)}"]`)?.focus();
}

function setLink(kind, text) {
  const link = $("link");
  link.dataset.state = kind;
  link.textContent = text;
}

function connect() {
  const source = new EventSource("/page/api/events");
  source.addEventListener("open", () => setLink("live", "live"));
  source.addEventListener("error", async () => {
    setLink("reconnecting", "reconnecting…");
    // EventSource retries by itself, but not past a lost session (a server restart forgets it).
    const answer = await fetch("/page/api/state").catch(() => null);
    if (answer?.status === 401) {
      source.close();
      setLink("error", "signed out: run blender-mcp open for a new link");
    }
  });
  source.addEventListener("snapshot", (e) => {
    const snap = JSON.parse(e.data);
    state.user = snap.user;
    state.clients = snap.clients;
    state.jobs = new Map(snap.jobs.map((j) => [j.job_id, j]));
    state.images = snap.images;
    $("user").textContent = snap.user;
    renderClients();
    renderJobs();
  });
  source.addEventListener("job", (e) => {
    const job = JSON.parse(e.data);
    const previous = state.jobs.get(job.job_id);
    if (previous && TERMINAL.has(previous.status) && !TERMINAL.has(job.status)) return;
    state.jobs.set(job.job_id, job);
    renderJobs();
    if (state.detailId === job.job_id) showDetail(job.job_id);
  });
  source.addEventListener("clients", (e) => {
    state.clients = JSON.parse(e.data);
    renderClients();
    renderJobs();
  });
  source.addEventListener("image", (e) => {
    const { uuid, job_id } = JSON.parse(e.data);
    state.images[uuid] = job_id;
    renderClients();
  });
}

document.addEventListener("keydown", (event) => {
  if (event.key === "Escape" && state.detailId) closeDetail();
});
document.addEventListener("DOMContentLoaded", () => {
  $("detail-close").addEventListener("click", closeDetail);
  // Running jobs' times tick without events.
  setInterval(() => {
    for (const row of document.querySelectorAll("tr.job.running, tr.job.queued")) {
      const job = state.jobs.get(row.dataset.jobId);
      if (job) row.querySelector(".duration").textContent = duration(seconds(job));
    }
  }, 1000);
  connect();
});
