// Loaded on widget pages before RequireJS and the widget manager (tools/book_ext).
(function () {
  "use strict";
  // RequireJS gives each bundled module a URL from its name; the manager loads its icon fonts
  // from that module's folder, so point the names at the folder it is served from.
  const here = new URL(".", document.currentScript.src).href + "html-manager/";
  const names = ["@jupyter-widgets/base", "@jupyter-widgets/controls", "@jupyter-widgets/output",
                 "@jupyter-widgets/html-manager", "@jupyter-widgets/html-manager/dist/libembed-amd"];
  window.require = {paths: Object.fromEntries(names.map((n) => [n, here + n.replace(/\W+/g, "_")]))};

  // The manager typesets labels with MathJax 2's MathJax.Hub.Queue; the book has MathJax 3.
  // MathJax 3 replaces window.MathJax when it starts, so give every MathJax object that Hub.
  const pending = [];
  const typeset = () => {
    const mj = current;
    if (!pending.length || !(mj && mj.startup && mj.startup.promise && mj.typesetPromise)) return;
    const elements = pending.splice(0);
    mj.startup.promise = mj.startup.promise.then(() => mj.typesetPromise(elements)).catch((e) => console.warn(e));
  };
  const Hub = {Queue(command) {
    if (Array.isArray(command) && command[2] instanceof Element) pending.push(command[2]);
    typeset();
  }};
  let current = window.MathJax || {};
  current.startup = Object.assign({}, current.startup, {ready() {
    window.MathJax.startup.defaultReady();
    window.MathJax.startup.promise.then(typeset);
  }});
  current.Hub = Hub;
  Object.defineProperty(window, "MathJax", {
    configurable: true,
    get: () => current,
    set: (value) => { current = value; if (value && !value.Hub) value.Hub = Hub; },
  });
})();
