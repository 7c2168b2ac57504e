// The field app's service worker: Workbox from npm (served as our own static files), then our rules.
self.FIELD_SW = {{ config|safe }};
importScripts({% for url in workbox %}"{{ url }}", {% endfor %}"{{ main }}");
