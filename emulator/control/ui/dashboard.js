// The emulator's dashboard: polls GET /__emulator__/overview every second and renders it; its
// buttons call the control plane. Plain DOM (textContent only: no data is parsed as HTML).
"use strict";

const BASE = "/__emulator__";
const POLL_MS = 1000;
let agentNames = {};

function el(tag, text, className) {
  const node = document.createElement(tag);
  if (text !== undefined && text !== null) node.textContent = String(text);
  if (className) node.className = className;
  return node;
}

function row(cells) {
  const tr = document.createElement("tr");
  for (const cell of cells) {
    const td = document.createElement("td");
    if (cell instanceof Node) td.appendChild(cell); else td.textContent = cell === undefined ? "" : String(cell);
    tr.appendChild(td);
  }
  return tr;
}

function fill(tbody, rows, empty) {
  tbody.replaceChildren(...(rows.length ? rows : [row([el("span", empty, "muted")])]));
}

function say(text, failed) {
  const message = document.getElementById("message");
  message.textContent = text;
  message.className = failed ? "message failed" : "message";
}

async function control(method, path, body) {
  const init = {method, headers: {}};
  if (body !== undefined) {
    init.headers["Content-Type"] = "application/json";
    init.body = JSON.stringify(body);
  }
  const response = await fetch(BASE + path, init);
  const text = await response.text();
  const answer = text ? JSON.parse(text) : {};
  if (!response.ok) throw new Error(answer.detail || answer.id || response.statusText);
  return answer;
}

function button(label, title, action) {
  const b = el("button", label, "small");
  b.type = "button";
  b.title = title;
  b.addEventListener("click", async () => {
    try { say(await action()); } catch (error) { say(error.message, true); }
    refresh();
  });
  return b;
}

function time(ms) {
  return new Date(Number(ms)).toISOString().replace("T", " ").replace(/\.\d+Z$/, "");
}

function total(list) {
  return list.items.length < list.total ? `(${list.items.length} of ${list.total})` : `(${list.total})`;
}

function status(agent) {
  const span = el("span", agent.status + (agent.status_payload ? `: ${agent.status_payload}` : ""),
    `status status-${agent.status}`);
  return span;
}

function renderDomain(domain) {
  const node = document.getElementById("domain-template").content.firstElementChild.cloneNode(true);
  node.dataset.domain = domain.name;
  node.querySelector(".domain-name").textContent = `Domain ${domain.name} · ${domain.users} users`;
  node.querySelector(".agents-total").textContent = total(domain.agents);
  node.querySelector(".queues-total").textContent = total(domain.queues);
  node.querySelector(".calls-total").textContent = total(domain.calls);
  for (const agent of domain.agents.items) agentNames[agent.id] = agent.name;
  fill(node.querySelector(".agents tbody"), domain.agents.items.map((agent) => {
    const tr = row([agent.name, agent.extension, status(agent), agent.channel + (agent.call_id ? ` (call ${agent.call_id})` : ""),
      agent.presence || "—",
      agent.skills.map((s) => `${s.name} ${s.capacity ?? ""}${s.enabled ? "" : " (off)"}`).join(", ")]);
    tr.dataset.agent = agent.id;
    return tr;
  }), "no agents");
  fill(node.querySelector(".queues tbody"), domain.queues.items.map((queue) => {
    const tr = row([queue.name, queue.waiting, queue.active, queue.enabled ? "yes" : "no"]);
    tr.dataset.queue = queue.id;
    return tr;
  }), "no queues");
  fill(node.querySelector(".calls tbody"), domain.calls.items.map((call) => {
    const actions = el("span");
    if (call.state === "offering") actions.appendChild(button("Answer", "the agent answers",
      async () => { await control("POST", `/calls/${call.id}/answer`); return `call ${call.id} answered`; }));
    actions.appendChild(button("Hang up", "the caller hangs up",
      async () => { await control("POST", `/calls/${call.id}/hangup`); return `call ${call.id} hung up`; }));
    const tr = row([call.id, call.queue ? (call.queue.name || call.queue.id) : "—", call.from || "",
      el("span", call.state, `state state-${call.state}`), call.agent ? (agentNames[call.agent.id] || call.agent.id) : "",
      actions]);
    tr.dataset.call = call.id;
    return tr;
  }), "no live calls");
  return node;
}

function renderQueueChoice(domains) {
  const select = document.getElementById("call-queue");
  const chosen = select.value;
  const options = [];
  for (const domain of domains) {
    for (const queue of domain.queues.items) {
      const option = el("option", domains.length > 1 ? `${domain.name}: ${queue.name}` : queue.name);
      option.value = queue.id;
      options.push(option);
    }
  }
  select.replaceChildren(...options);
  if (options.some((o) => o.value === chosen)) select.value = chosen;
}

function render(overview) {
  document.getElementById("clock").textContent = `emulator clock ${time(overview.clock_ms)} UTC`;
  document.getElementById("domains").replaceChildren(...overview.domains.map(renderDomain));
  renderQueueChoice(overview.domains);
  fill(document.querySelector("#faults tbody"), overview.faults.map((rule) => {
    const tr = row([rule.id, rule.method || "any", rule.path, rule.action, rule.action === "error" ? rule.status : "",
      rule.when, rule.hits, rule.times ?? "every",
      button("Remove", "remove this rule", async () => { await control("DELETE", `/faults/${rule.id}`); return `fault ${rule.id} removed`; })]);
    tr.dataset.fault = rule.id;
    return tr;
  }), "no fault rules");
  fill(document.querySelector("#journal tbody"), overview.requests.slice().reverse().map((entry) =>
    row([time(entry.at), entry.method, entry.path + (entry.query ? `?${entry.query}` : ""), entry.status,
      entry.duration_ms, entry.request_id || "", entry.fault || ""])), "no requests yet");
}

let inFlight = false;
async function refresh() {
  if (inFlight) return;
  inFlight = true;
  const live = document.getElementById("live");
  try {
    const response = await fetch(BASE + "/overview", {cache: "no-store"});
    if (!response.ok) throw new Error(response.statusText);
    render(await response.json());
    live.textContent = "live";
    live.className = "live ok";
    document.body.dataset.updated = String(Date.now());
  } catch (error) {
    live.textContent = "disconnected";
    live.className = "live failed";
  } finally {
    inFlight = false;
  }
}

document.getElementById("reset").addEventListener("click", async () => {
  try {
    const answer = await control("POST", "/reset");
    say(`reset in ${answer.took_ms} ms`);
  } catch (error) { say(error.message, true); }
  refresh();
});

document.getElementById("call-form").addEventListener("submit", async (event) => {
  event.preventDefault();
  try {
    const call = await control("POST", "/calls", {queue_id: document.getElementById("call-queue").value,
      from: document.getElementById("call-from").value});
    say(`call ${call.id}: ${call.state}` + (call.agent ? ` to agent ${agentNames[call.agent.id] || call.agent.id}` : ""));
  } catch (error) { say(error.message, true); }
  refresh();
});

document.getElementById("fault-form").addEventListener("submit", async (event) => {
  event.preventDefault();
  const rule = {path: document.getElementById("fault-path").value, action: document.getElementById("fault-action").value};
  const method = document.getElementById("fault-method").value;
  const statusCode = document.getElementById("fault-status").value;
  const times = document.getElementById("fault-times").value;
  if (method) rule.method = method;
  if (rule.action === "error" && statusCode) rule.status = Number(statusCode);
  if (rule.action === "delay") rule.delay_ms = 2000;
  if (times) rule.times = Number(times);
  try {
    const added = await control("POST", "/faults", rule);
    say(`fault ${added.id} added`);
  } catch (error) { say(error.message, true); }
  refresh();
});

refresh();
setInterval(refresh, POLL_MS);
