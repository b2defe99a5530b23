// Re-render math after every page load, including Material's instant navigation,
// which swaps the page content without reloading the scripts.
document$.subscribe(({ body }) => {
  renderMathInElement(body, {
    delimiters: [
      { left: "$$", right: "$$", display: true },
      { left: "$", right: "$", display: false },
      { left: "\\(", right: "\\)", display: false },
      { left: "\\[", right: "\\]", display: true },
    ],
    throwOnError: false,
  });
  focusableWhenScrolling(body);
});

// Display math wider than the column scrolls sideways: make such a block reachable by
// keyboard (Tab, then the arrow keys scroll it), as Material does for code blocks (WCAG 2.1.1).
function focusableWhenScrolling(root) {
  for (const block of root.querySelectorAll("div.arithmatex")) {
    if (block.scrollWidth > block.clientWidth + 1) {
      block.setAttribute("tabindex", "0");
      block.setAttribute("role", "region");
      block.setAttribute("aria-label", "Equation (scrolls sideways)");
    } else if (block.getAttribute("role") === "region") {
      block.removeAttribute("tabindex");
      block.removeAttribute("role");
      block.removeAttribute("aria-label");
    }
  }
}
window.addEventListener("resize", () => focusableWhenScrolling(document.body));
