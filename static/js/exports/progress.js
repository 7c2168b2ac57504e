// The export page follows its job without reloading: the progress bar and the status line (a polite
// live region) change as the worker writes rows; when the job ends, the page reloads to show the link.
// Without JavaScript the "Check again" link reloads it.
document.addEventListener("DOMContentLoaded", function () {
  var job = document.getElementById("export-job");
  if (!job || !job.hasAttribute("data-running")) {
    return;
  }
  var bar = document.getElementById("export-progress");
  var status = document.getElementById("export-status");
  function poll() {
    fetch(job.getAttribute("data-status-url"), { headers: { Accept: "application/json" }, credentials: "same-origin" })
      .then(function (response) {
        return response.ok ? response.json() : null;
      })
      .then(function (state) {
        if (!state) {
          return;
        }
        if (state.finished) {
          window.location.reload();
          return;
        }
        bar.value = state.percent;
        bar.textContent = state.percent + "%";
        if (status.textContent !== state.text) {
          status.textContent = state.text;
        }
        window.setTimeout(poll, 2000);
      })
      .catch(function () {
        window.setTimeout(poll, 5000);
      });
  }
  window.setTimeout(poll, 1000);
});
