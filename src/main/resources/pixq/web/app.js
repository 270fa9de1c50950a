// pixq's pages: each fetches its JSON from api/ and draws it with DOM nodes. Every name is set as text
// (never as HTML), so a file called <script>.jpg shows as exactly that.
"use strict";
(function () {
  const base = document.querySelector('meta[name="pixq-base"]').content;
  const token = document.querySelector('meta[name="pixq-token"]').content;
  const page = document.body.dataset.page;
  const params = new URLSearchParams(location.search);
  const app = document.getElementById("app");
  const status = document.getElementById("status");
  const STATES = ["QUEUED", "RUNNING", "SUCCEEDED", "FAILED", "CANCELED"];
  const REFRESH_MS = 2000;
  let lastJson = null;
  let timer = null;
  const retried = new Map(); // job id -> last row seen, for the jobs retried from this page

  function el(tag, attrs, ...children) {
    const node = document.createElement(tag);
    for (const [k, v] of Object.entries(attrs || {})) {
      if (v === null || v === undefined || v === false) continue;
      if (k === "onclick") node.addEventListener("click", v);
      else node.setAttribute(k, v === true ? "" : String(v));
    }
    for (const c of children.flat()) {
      if (c === null || c === undefined) continue;
      node.append(c instanceof Node ? c : document.createTextNode(String(c)));
    }
    return node;
  }

  function href(path, query) {
    const q = new URLSearchParams();
    for (const [k, v] of Object.entries(query || {})) if (v !== null && v !== undefined && v !== "") q.set(k, v);
    const s = q.toString();
    return base + path + (s ? "?" + s : "");
  }

  async function get(path, query) {
    const response = await fetch(href(path, query), { headers: { Accept: "application/json" } });
    const text = await response.text();
    if (!response.ok) throw new Error(text || response.statusText);
    return { text, data: JSON.parse(text) };
  }

  function when(ms) {
    return ms ? new Date(ms).toLocaleString() : "—";
  }

  function duration(ms) {
    if (ms === null || ms === undefined) return "—";
    if (ms < 1000) return ms + " ms";
    const s = Math.round(ms / 1000);
    return s < 60 ? (ms / 1000).toFixed(1) + " s" : Math.floor(s / 60) + " min " + (s % 60) + " s";
  }

  function bytes(n) {
    if (n === null || n === undefined || n < 0) return "?";
    if (n < 1024) return n + " B";
    if (n < 1024 * 1024) return (n / 1024).toFixed(1) + " KB";
    return (n / 1024 / 1024).toFixed(2) + " MB";
  }

  function bar(b) {
    const total = Math.max(1, b.total);
    const segments = ["SUCCEEDED", "FAILED", "CANCELED"].map((s) =>
      el("span", { class: s, "data-width": (100 * b.counts[s]) / total }));
    const node = el("div", { class: "bar", title: b.finished + " of " + b.total + " finished" }, segments);
    // Widths through the CSSOM: the page's policy allows no inline style attributes.
    segments.forEach((s) => { s.style.width = s.dataset.width + "%"; });
    return node;
  }

  function stateBadge(state) {
    return el("span", { class: "state " + state }, state.toLowerCase());
  }

  function nav(batch) {
    const links = [["", "Batches", {}]];
    if (batch) {
      links.push(["batch", "Jobs", { id: batch }], ["gallery", "Gallery", { id: batch }], ["failures", "Failures", { id: batch }]);
    } else {
      links.push(["failures", "Failures", {}]);
    }
    document.getElementById("nav").replaceChildren(...links.map(([p, label, q]) =>
      el("a", { href: href(p, q), class: p === (page === "batches" ? "" : page) ? "here" : null }, label)));
  }

  function facts(b) {
    const items = [["jobs", b.total], ["finished", b.finished]];
    STATES.forEach((s) => items.push([s.toLowerCase(), b.counts[s]]));
    items.push(["images/s", b.rate ? b.rate.toFixed(1) : "—"], ["ETA", b.etaSeconds === null ? "—" : duration(b.etaSeconds * 1000)],
      ["started", when(b.start)], ["ended", b.done ? when(b.end) : "not yet"]);
    if (b.replaced > 0) items.push(["outputs replaced earlier ones", b.replaced]); // never overwritten without a word
    return el("div", { class: "facts" }, items.map(([k, v]) => el("div", { class: "fact-" + k.replace(/\W/g, "") }, el("b", {}, v), k)));
  }

  // ---- pages

  function batchesPage(batches) {
    nav(null);
    if (batches.length === 0) return [el("h1", {}, "Batches"), el("p", { class: "empty" }, "No jobs yet: run `pixq run` or `pixq submit`.")];
    const rows = batches.map((b) => el("tr", { "data-batch": b.id },
      el("td", {}, el("a", { href: href("batch", { id: b.id }) }, b.id)),
      el("td", {}, bar(b), b.finished + " / " + b.total),
      STATES.map((s) => el("td", { class: "num" }, b.counts[s])),
      el("td", { class: "num" }, b.rate ? b.rate.toFixed(1) : "—"),
      el("td", { class: "num" }, b.etaSeconds === null ? "—" : duration(b.etaSeconds * 1000)),
      el("td", {}, when(b.start)), el("td", {}, b.done ? when(b.end) : "running"),
      el("td", {}, el("a", { href: href("gallery", { id: b.id }) }, "gallery"), " ",
        b.counts.FAILED ? el("a", { href: href("failures", { id: b.id }) }, "failures") : null)));
    return [el("h1", {}, "Batches"), el("table", { id: "batches" },
      el("thead", {}, el("tr", {}, el("th", {}, "batch"), el("th", {}, "progress"), STATES.map((s) => el("th", { class: "num" }, s.toLowerCase())),
        el("th", { class: "num" }, "images/s"), el("th", { class: "num" }, "ETA"), el("th", {}, "started"), el("th", {}, "ended"), el("th", {}, ""))),
      el("tbody", {}, rows))];
  }

  function chart(c) {
    const ns = "http://www.w3.org/2000/svg";
    const svg = document.createElementNS(ns, "svg");
    svg.setAttribute("class", "chart");
    svg.setAttribute("viewBox", "0 0 400 140");
    svg.setAttribute("role", "img");
    const n = c.succeeded.length;
    const peak = Math.max(1, ...c.succeeded.map((v, i) => v + c.failed[i]));
    const w = 380 / n;
    const add = (tag, attrs, text) => {
      const node = document.createElementNS(ns, tag);
      for (const [k, v] of Object.entries(attrs)) node.setAttribute(k, v);
      if (text !== undefined) node.textContent = text;
      svg.append(node);
    };
    for (let i = 0; i < n; i++) {
      const ok = (110 * c.succeeded[i]) / peak;
      const bad = (110 * c.failed[i]) / peak;
      add("rect", { class: "ok", x: 10 + i * w, y: 120 - ok, width: Math.max(1, w - 1), height: ok });
      add("rect", { class: "bad", x: 10 + i * w, y: 120 - ok - bad, width: Math.max(1, w - 1), height: bad });
    }
    const perSlice = c.sliceMillis ? duration(c.sliceMillis) : "—";
    add("text", { x: 10, y: 134 }, "jobs finished per " + perSlice + " (green: succeeded, red: failed); peak " + peak);
    svg.append(Object.assign(document.createElementNS(ns, "title"), { textContent: "throughput and failures over time" }));
    return svg;
  }

  function jobsTable(jobs, withRetry) {
    return el("table", { class: "jobs" },
      el("thead", {}, el("tr", {}, el("th", {}, "input"), el("th", {}, "state"), el("th", { class: "num" }, "attempts"),
        el("th", { class: "num" }, "duration"), withRetry ? el("th", {}, "") : el("th", {}, "reason"))),
      el("tbody", {}, jobs.map((j) => el("tr", { "data-job": j.id },
        el("td", { class: "input", title: j.id }, j.input), el("td", {}, stateBadge(j.state)),
        el("td", { class: "num" }, j.attempts), el("td", { class: "num" }, duration(j.durationMillis)),
        withRetry ? null : el("td", { class: "reason" }, j.state === "FAILED" || j.state === "QUEUED" ? j.reason : null),
        withRetry && j.state === "FAILED" ? el("td", {}, el("button", { class: "retry", onclick: () => retry({ job: j.id }, [j]) }, "retry")) : null))));
  }

  // Pages start after a job (a page costs the same anywhere in a batch): "next" and back to the first.
  function pager(data, query) {
    return el("p", { class: "pager" },
      data.after ? el("a", { href: href(page, query) }, "⇤ first page") : null,
      data.next ? el("a", { href: href(page, { ...query, after: data.next }) }, "next →") : null);
  }

  function batchPage(data) {
    const b = data.batch;
    const state = params.get("state") || "";
    nav(b.id);
    const filters = el("p", { class: "filters" }, "show: ",
      ["", ...STATES].map((s) => el("a", { href: href("batch", { id: b.id, state: s }), class: s === state.toUpperCase() ? "here" : null },
        s ? s.toLowerCase() + " (" + b.counts[s] + ")" : "all (" + b.total + ")")));
    return [el("h1", {}, "Batch ", b.id), bar(b), facts(b), chart(data.chart), filters,
      data.jobs.length ? jobsTable(data.jobs, false) : el("p", { class: "empty" }, "No jobs here."), pager(data, { id: b.id, state })];
  }

  function galleryPage(data) {
    const b = data.batch;
    nav(b.id);
    const cards = data.items.map((item) => {
      const input = item.blobs.find((x) => x.index === 0);
      const outputs = item.blobs.filter((x) => x.index > 0);
      const figure = (blob, label) => el("figure", {},
        el("a", { href: href("image", { job: item.id, i: blob.index }), target: "_blank", rel: "noopener" },
          blob.image ? el("img", { src: href("thumb", { job: item.id, i: blob.index, v: item.version }), loading: "lazy",
            alt: label + ": " + blob.name, width: 160, height: 160 }) : el("span", {}, "(not an image)")),
        el("figcaption", {}, label + ": " + blob.name + " · " + bytes(blob.bytes)));
      const outBytes = outputs.reduce((sum, x) => sum + Math.max(0, x.bytes), 0);
      const saved = input && input.bytes > 0 && outputs.length ? input.bytes - outBytes : null;
      return el("div", { class: "card", "data-job": item.id },
        el("div", { class: "pair" }, input ? figure(input, "before") : null, outputs.map((o) => figure(o, "after"))),
        saved === null ? null : el("div", { class: "saved" }, saved >= 0
          ? "saved " + bytes(saved) + " (" + Math.round((100 * saved) / input.bytes) + "%)"
          : "outputs are " + bytes(-saved) + " larger than the input"));
    });
    return [el("h1", {}, "Gallery of ", b.id), facts(b),
      cards.length ? el("div", { class: "gallery" }, cards) : el("p", { class: "empty" }, "No succeeded jobs yet."), pager(data, { id: b.id })];
  }

  function failuresPage(data) {
    const batch = params.get("id");
    nav(batch);
    const top = [el("h1", {}, batch ? "Failures of " + batch : "Failures, every batch")];
    if (data.batch) top.push(bar(data.batch), facts(data.batch));
    top.push(notice);
    if (retried.size) {
      top.push(el("h2", {}, "Retried from this page"), jobsTable([...retried.values()], false));
    }
    if (data.groups.length === 0) return [...top, el("p", { class: "empty" }, "No failed jobs.")];
    const groups = data.groups.map((g) => el("section", { class: "group" },
      el("div", {}, el("b", {}, g.count + (g.count === 1 ? " job" : " jobs")), " failed with"),
      el("div", { class: "why" }, g.reason),
      el("p", {}, el("button", { class: "all", onclick: () => retry({ batch: batch, reason: g.reason }, g.jobs) },
        "retry all " + g.count + " with this reason")),
      jobsTable(g.jobs, true), g.count > g.jobs.length ? el("p", {}, "… and " + (g.count - g.jobs.length) + " more") : null));
    return [...top, el("p", {}, data.total + " failed jobs" + (data.more ? " (the first shown)" : "")), ...groups];
  }

  const notice = el("div", { id: "notice", hidden: true });

  async function retry(body, jobs) {
    try {
      const response = await fetch(href("api/retry"), {
        method: "POST", headers: { "Content-Type": "application/json", "X-Pixq-Token": token }, body: JSON.stringify(body),
      });
      const text = await response.text();
      if (!response.ok) throw new Error(text);
      const n = JSON.parse(text).requeued;
      jobs.slice(0, 50).forEach((j) => retried.set(j.id, { ...j, state: "QUEUED", reason: null }));
      say("Requeued " + n + (n === 1 ? " job" : " jobs") + "; this page follows them.", false);
    } catch (e) {
      say("Retry failed: " + e.message, true);
    }
    lastJson = null;
    refresh();
  }

  function say(text, error) {
    notice.textContent = text;
    notice.className = "notice" + (error ? " error" : "");
    notice.hidden = false;
  }

  async function followRetried() {
    for (const id of retried.keys()) {
      try {
        retried.set(id, (await get("api/job", { id })).data);
      } catch (e) { /* gone from the store: keep the last row */ }
    }
    return [...retried.values()].some((j) => j.state === "QUEUED" || j.state === "RUNNING");
  }

  const PAGES = {
    batches: { api: () => get("api/batches"), draw: batchesPage, running: (d) => d.some((b) => !b.done) },
    batch: { api: () => get("api/batch", { id: params.get("id"), state: params.get("state"), after: params.get("after") }), draw: batchPage, running: (d) => !d.batch.done },
    gallery: { api: () => get("api/gallery", { id: params.get("id"), after: params.get("after") }), draw: galleryPage, running: (d) => !d.batch.done },
    failures: { api: () => get("api/failures", { id: params.get("id") }), draw: failuresPage, running: (d) => d.batch !== null && !d.batch.done },
  };

  async function refresh() {
    clearTimeout(timer);
    const p = PAGES[page];
    let again = false;
    try {
      const retriedRunning = retried.size ? await followRetried() : false;
      const { text, data } = await p.api();
      const key = text + JSON.stringify([...retried.values()]);
      if (key !== lastJson) {
        lastJson = key;
        app.replaceChildren(...p.draw(data));
      }
      again = p.running(data) || retriedRunning;
      status.textContent = (again ? "live, updated " : "updated ") + new Date().toLocaleTimeString();
    } catch (e) {
      app.replaceChildren(el("p", { class: "notice error" }, e.message));
      again = true;
    }
    if (again) timer = setTimeout(refresh, REFRESH_MS);
  }

  refresh();
})();
