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
  // Another page of a list read from its pager, below it: the list's top comes into view, just under the fixed app bar,
  // when it is above that, as the new page begins there (at 390 px the pager of 50 rows is a dozen screens down).
  scrollTopIntoView: (selector) => {
    const list = document.querySelector(selector);
    const bar = document.querySelector('.mud-appbar');
    const under = bar ? bar.getBoundingClientRect().bottom : 0;
    const top = list ? list.getBoundingClientRect().top : under;
    if (top < under) {
      window.scrollBy({ top: top - under - 8 });
    }
  },
};
