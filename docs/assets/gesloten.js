// Every page: once sign-up has closed, show the "closed" notice the page carries (hidden when the site was
// built before the deadline). The moment comes from the edition file, through the page.
"use strict";

(function () {
  var notice = document.querySelector(".pm-closed[data-pm-closes]");
  if (notice && Date.now() >= Date.parse(notice.dataset.pmCloses)) notice.hidden = false;
})();
