// The language switch in the header keeps the reader on the same article and heading:
// /normalization/batch-norm/#the-formula <-> /zh/normalization/batch-norm/#the-formula.
// The Chinese pages give their headings the English ids, so the anchor carries over.
const rnConfig = JSON.parse(document.getElementById("__config").textContent);
const rnRoot = new URL(rnConfig.base.replace(/\/?$/, "/"), location.href); // this edition's root
const rnEnglishRoot = document.documentElement.lang.startsWith("zh") ? new URL("../", rnRoot) : rnRoot;

function rnSamePage(lang) {
  const page = location.pathname.startsWith(rnRoot.pathname) ? location.pathname.slice(rnRoot.pathname.length) : "";
  const root = lang.startsWith("zh") ? new URL("zh/", rnEnglishRoot) : rnEnglishRoot;
  return new URL(page + location.hash, root).href;
}

function rnUpdateSwitch() {
  for (const link of document.querySelectorAll("a.md-select__link[hreflang]")) {
    link.href = rnSamePage(link.hreflang);
    link.classList.add("rn-lang-switch");
  }
}

document$.subscribe(rnUpdateSwitch);
window.addEventListener("hashchange", rnUpdateSwitch);
// The other edition is another site: load it in full rather than through instant navigation.
document.addEventListener("click", (event) => {
  const link = event.target.closest && event.target.closest("a.md-select__link[hreflang]");
  if (link) {
    event.preventDefault();
    event.stopImmediatePropagation();
    location.assign(rnSamePage(link.hreflang));
  }
}, true);
