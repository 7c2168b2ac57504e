/* Periodic task form (django-celery-beat): show the chosen crontab in words below the field.
   A file rather than the package's inline script, so the admin runs under our Content-Security-Policy. */
(function () {
  "use strict";
  var script = document.getElementById("periodic-task-overrides");
  var $ = window.django && window.django.jQuery;
  var data = document.getElementById("readable-crontabs");
  if (!script || !$ || !data) {
    return;
  }
  var readable = JSON.parse(data.textContent);
  var help = script.dataset.crontabHelp || "";
  $(".field-crontab_translation").hide();
  $(".field-crontab").on("change", function () {
    var text = readable[$("#id_crontab").val()];
    var node = $(".field-crontab .help");
    node.text(help);
    if (text) {
      node.append($("<br>")).append(document.createTextNode(text));
    }
  });
})();
