// Small behaviours that must work under a strict CSP (no inline scripts).
document.addEventListener("click", function (e) {
  var t = e.target.closest("[data-toggle-nav]");
  if (t) { document.getElementById("sidenav").classList.toggle("open"); }
  var c = e.target.closest("[data-confirm]");
  if (c && !window.confirm(c.getAttribute("data-confirm"))) { e.preventDefault(); }
});
// Charts: any element with data-echarts holding a JSON option renders with ECharts when it is loaded.
function zhifaRenderCharts(root) {
  if (!window.echarts) return;
  (root || document).querySelectorAll("[data-echarts]").forEach(function (el) {
    if (el.dataset.rendered) return;
    var chart = echarts.init(el);
    chart.setOption(JSON.parse(el.getAttribute("data-echarts")));
    el.dataset.rendered = "1";
    window.addEventListener("resize", function () { chart.resize(); });
  });
}
document.addEventListener("DOMContentLoaded", function () { zhifaRenderCharts(document); });
document.addEventListener("htmx:afterSwap", function (e) { zhifaRenderCharts(e.target); });
// Bulk forms: a "select all" box ticks every row box of its form (data-check-all names the row boxes).
document.addEventListener("change", function (e) {
  var all = e.target.closest("[data-check-all]");
  if (!all) return;
  var name = all.getAttribute("data-check-all");
  all.form.querySelectorAll('input[type=checkbox][name="' + name + '"]').forEach(function (box) { box.checked = all.checked; });
});
