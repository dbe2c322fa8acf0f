// Search, expand/collapse and printing for the plan picture. No network:
// everything it needs is in the page.
(() => {
  const q = document.getElementById('q');
  const hits = document.getElementById('hits');
  let marked = [];
  let timer = 0;
  const openUp = (el) => {
    for (let d = el.closest('details'); d; d = d.parentElement && d.parentElement.closest('details')) d.open = true;
  };
  const search = () => {
    for (const el of marked) el.classList.remove('hit');
    marked = [];
    const s = q.value.trim().toLowerCase();
    if (!s) { hits.textContent = ''; return; }
    for (const el of document.querySelectorAll('li.emp, li.dept > .row')) {
      if (el.textContent.toLowerCase().includes(s)) marked.push(el);
    }
    for (const el of marked) { el.classList.add('hit'); openUp(el); }
    hits.textContent = marked.length === 1 ? '1 found' : marked.length + ' found';
    if (marked.length) marked[0].scrollIntoView({ block: 'center' });
  };
  q.addEventListener('input', () => { clearTimeout(timer); timer = setTimeout(search, 200); });
  q.addEventListener('keydown', (e) => { if (e.key === 'Enter') { clearTimeout(timer); search(); } });
  const all = (open) => () => { for (const d of document.querySelectorAll('details')) d.open = open; };
  document.getElementById('expand').addEventListener('click', all(true));
  document.getElementById('collapse').addEventListener('click', all(false));
  document.getElementById('changed-only').addEventListener('change', (e) => {
    document.body.classList.toggle('changed-only', e.target.checked);
  });
  // Printed, every member list shows; the screen state comes back after.
  let closed = [];
  addEventListener('beforeprint', () => {
    closed = [...document.querySelectorAll('details:not([open])')];
    for (const d of closed) d.open = true;
  });
  addEventListener('afterprint', () => { for (const d of closed) d.open = false; closed = []; });
})();
