// Search, expand/collapse and printing for the plan picture. No network:
// everything it needs is in the page. Unchanged members come as data
// (#staying: department key -> [key, name, English name]) and become list
// items when their department's members are opened, searched or printed.
(() => {
  const staying = JSON.parse(document.getElementById('staying').textContent || '{}');
  const lists = new Map();
  for (const d of document.querySelectorAll('details.members')) lists.set(d.dataset.dept, d);
  const built = new Set();
  const build = (dept) => {
    if (built.has(dept)) return;
    built.add(dept);
    const d = lists.get(dept);
    if (!d || !staying[dept]) return;
    const frag = document.createDocumentFragment();
    for (const [key, name, en] of staying[dept]) {
      const li = document.createElement('li');
      li.className = 'emp';
      li.dataset.key = key;
      li.append(name);
      if (en) {
        const s = document.createElement('span');
        s.className = 'en';
        s.textContent = en;
        li.append(' ', s);
      }
      const c = document.createElement('code');
      c.textContent = key;
      li.append(' ', c);
      frag.append(li);
    }
    d.querySelector('ul').append(frag);
  };
  // toggle does not bubble: listen in the capture phase.
  document.addEventListener('toggle', (e) => {
    const d = e.target;
    if (d.matches && d.matches('details.members') && d.open) build(d.dataset.dept);
  }, true);

  const q = document.getElementById('q');
  const hits = document.getElementById('hits');
  const maxShown = 500;
  let marked = [];
  let index = null;
  let timer = 0;
  const openUp = (el) => {
    for (let d = el.closest('details'); d; d = d.parentElement && d.parentElement.closest('details')) d.open = true;
  };
  const search = () => {
    for (const el of marked) el.classList.remove('hit');
    marked = [];
    const s = q.value.trim().toLowerCase();
    if (!s) { hits.textContent = ''; return; }
    for (const el of document.querySelectorAll('li.emp[data-change], li.dept > .row')) {
      if (el.textContent.toLowerCase().includes(s)) marked.push(el);
    }
    if (!index) {
      index = [];
      for (const [dept, list] of Object.entries(staying)) {
        for (const [key, name, en] of list) index.push([dept, key, `${name} ${en} ${key}`.toLowerCase()]);
      }
    }
    let found = marked.length;
    for (const [dept, key, text] of index) {
      if (!text.includes(s)) continue;
      if (++found > maxShown) continue;
      build(dept);
      const li = lists.get(dept).querySelector(`li.emp[data-key="${CSS.escape(key)}"]:not([data-change])`);
      if (li) marked.push(li);
    }
    for (const el of marked.slice(0, maxShown)) { el.classList.add('hit'); openUp(el); }
    hits.textContent = (found === 1 ? '1 found' : `${found} found`) + (found > maxShown ? `, the first ${maxShown} marked` : '');
    if (marked.length) marked[0].scrollIntoView({ block: 'center' });
  };
  q.addEventListener('input', () => { clearTimeout(timer); timer = setTimeout(search, 200); });
  q.addEventListener('keydown', (e) => { if (e.key === 'Enter') { clearTimeout(timer); search(); } });
  const all = (open) => () => {
    if (open) for (const k of lists.keys()) build(k);
    for (const d of document.querySelectorAll('details')) d.open = open;
  };
  document.getElementById('expand').addEventListener('click', all(true));
  document.getElementById('collapse').addEventListener('click', all(false));
  document.getElementById('changed-only').addEventListener('change', (e) => {
    document.body.classList.toggle('changed-only', e.target.checked);
  });
  // Printed, every member list shows; the screen state comes back after.
  let closed = [];
  addEventListener('beforeprint', () => {
    for (const k of lists.keys()) build(k);
    closed = [...document.querySelectorAll('details:not([open])')];
    for (const d of closed) d.open = true;
  });
  addEventListener('afterprint', () => { for (const d of closed) d.open = false; closed = []; });
})();
