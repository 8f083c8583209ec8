// Small browser helpers the Blazor components call through JS interop.
window.crmAdmin = {
  downloadFromStream: async (fileName, streamReference) => {
    const buffer = await streamReference.arrayBuffer();
    const url = URL.createObjectURL(new Blob([buffer], { type: 'text/csv' }));
    const anchor = document.createElement('a');
    anchor.href = url;
    anchor.download = fileName;
    anchor.click();
    anchor.remove();
    URL.revokeObjectURL(url);
  },
  // A file the server serves on a GET (the full import report): the browser downloads it itself, so a
  // large report never passes through the circuit.
  downloadFromUrl: (fileName, url) => {
    const anchor = document.createElement('a');
    anchor.href = url;
    anchor.download = fileName;
    anchor.click();
    anchor.remove();
  },
  // Another page of a list read from its pager, below it (Next, Previous, another page size): the list's top comes into view,
  // just under the fixed app bar, when it is above that, as the new page begins there (at 390 px the pager of 50 rows is a
  // dozen screens down); the table scrolled sideways on a phone goes back to its first column, where the entry's value is;
  // and a pager button that had the keyboard's focus has it again (keepPagerFocus).
  showNewPage: (selector) => {
    const list = document.querySelector(selector);
    if (!list) {
      return;
    }
    const bar = document.querySelector('.mud-appbar');
    const under = bar ? bar.getBoundingClientRect().bottom : 0;
    const top = list.getBoundingClientRect().top;
    if (top < under) {
      window.scrollBy({ top: top - under - 8 });
    }
    const table = list.querySelector('.mud-table-container');
    if (table) {
      table.scrollLeft = 0;
    }
    window.crmAdmin.keepPagerFocus(list);
  },
  // A pager button that the new page disables (Next at the list's end, First at its start) drops the keyboard's focus to the
  // page: Enter then did nothing, and Tab back to the pager scrolled down again. The pager's first enabled button has it
  // instead (or the button pressed, if enabled again), without scrolling to it.
  keepPagerFocus: (list) => {
    const pager = list.querySelector('.mud-table-pagination');
    const label = pager ? pager.dataset.crmFocused : undefined;
    if (!label) {
      return;
    }
    // Watched frame by frame for half a second: the new page's rows and pager come after this call, and the browser may blur a
    // disabled button a frame or more after that.
    const started = performance.now();
    const restore = () => {
      const buttons = [...pager.querySelectorAll('button')];
      const active = document.activeElement;
      const lost = !active || active === document.body || (pager.contains(active) && active.disabled);
      if (!lost) {
        // Still on the pager, or moved by the person meanwhile: left where it is, and watched while on the pager.
        if (performance.now() - started < 500 && pager.contains(active)) {
          requestAnimationFrame(restore);
        }
        return;
      }
      const pressed = buttons.find((b) => b.getAttribute('aria-label') === label && !b.disabled);
      const target = pressed || buttons.find((b) => !b.disabled);
      if (target) {
        target.focus({ preventScroll: true });
      }
    };
    requestAnimationFrame(restore);
  },
};

// Which pager button has the keyboard's focus (keepPagerFocus), kept on its pager until the person moves the focus elsewhere: a
// button the new page disables (Next at the list's end) loses it with no new target, which is not a move.
document.addEventListener('focusin', (e) => {
  const pager = e.target.closest && e.target.closest('.mud-table-pagination');
  if (pager) {
    pager.dataset.crmFocused = e.target.getAttribute('aria-label') || '';
  }
});
document.addEventListener('focusout', (e) => {
  const pager = e.target.closest && e.target.closest('.mud-table-pagination');
  if (pager && e.relatedTarget && !pager.contains(e.relatedTarget)) {
    delete pager.dataset.crmFocused;
  }
});
