// Draws the dashboard's charts from the JSON the page embeds (no inline script: CSP-safe).
(function () {
  "use strict";
  function draw() {
    var node = document.getElementById("dashboard-data");
    if (!node || typeof Chart === "undefined") { return; }
    var data = JSON.parse(node.textContent);
    var jo = function (won) { return won / 1e12; };
    var korean = (document.documentElement.lang || "ko").indexOf("ko") === 0;
    var unit = korean ? "조원" : "KRW trillion";
    var palette = ["#256ef4", "#0b50d0", "#5f97ff", "#083891", "#8fb5ff", "#1d56bc",
                   "#b5cfff", "#052561", "#3f7df5", "#d8e5fd", "#6d9cf8", "#0a3d9c"];
    var eok = function (won) { return won / 1e8; };
    function bar(id, labels, datasets, stacked, yAxis) {
      var el = document.getElementById(id);
      if (!el) { return; }
      new Chart(el, {
        type: "bar",
        data: { labels: labels, datasets: datasets },
        options: {
          responsive: true,
          scales: {
            x: { stacked: !!stacked },
            y: yAxis || { stacked: !!stacked, title: { display: true, text: unit } }
          },
          plugins: { legend: { display: datasets.length > 1 } }
        }
      });
    }
    // Commitments in 억원 on a logarithmic axis: a 1,500억 commitment stays visible beside
    // tens of 조 (the table below the chart gives every channel's size and remainder).
    bar("chart-channels", data.channels.labels, [
      { label: korean ? "약정" : "Committed", data: data.channels.committed.map(eok), backgroundColor: "#256ef4" }
    ], false, {
      type: "logarithmic",
      title: { display: true, text: korean ? "억원 (로그 눈금)" : "KRW 100 million (log scale)" }
    });
    bar("chart-sub-alliances", data.subAlliances.labels, [
      { label: korean ? "신청 금액" : "Requested", data: data.subAlliances.amounts.map(jo), backgroundColor: palette }
    ]);
    bar("chart-industries", data.industries.labels, [
      { label: korean ? "신청 금액" : "Requested", data: data.industries.amounts.map(jo), backgroundColor: palette }
    ]);
    var funnel = document.getElementById("chart-funnel");
    if (funnel) {
      new Chart(funnel, {
        type: "bar",
        data: { labels: data.funnel.labels, datasets: [{ label: korean ? "제안서 수" : "Proposals", data: data.funnel.counts, backgroundColor: "#0b50d0" }] },
        options: { indexAxis: "y", plugins: { legend: { display: false } } }
      });
    }
  }
  if (document.readyState === "loading") { document.addEventListener("DOMContentLoaded", draw); } else { draw(); }
})();
