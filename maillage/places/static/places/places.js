// Places: "Autour de moi" fills the hidden coordinates from the browser's position and submits.
// The button stays hidden where geolocation is not available (the page works without it).
(function () {
  "use strict";
  var button = document.querySelector("[data-maillage-geolocate]");
  if (!button || !("geolocation" in navigator)) {
    return;
  }
  button.hidden = false;
  button.addEventListener("click", function () {
    var form = button.closest("form");
    button.disabled = true;
    button.textContent = "Recherche de votre position…";
    navigator.geolocation.getCurrentPosition(
      function (position) {
        form.querySelector("[name=lat]").value = position.coords.latitude.toFixed(5);
        form.querySelector("[name=lon]").value = position.coords.longitude.toFixed(5);
        form.querySelector("[name=ou]").value = "";
        form.submit();
      },
      function () {
        button.disabled = false;
        button.textContent = "Position indisponible : indiquez une commune";
      },
      { timeout: 10000 }
    );
  });
})();
