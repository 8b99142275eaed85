(function(d,w){var c=d.documentElement.classList;c.add("js");if(/[?&]attempt=/.test(location.search))c.add("js-review");if("caches"in w&&"serviceWorker"in navigator)c.add("js-sw")})(document,window)
