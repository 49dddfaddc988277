// The sign-up form, enhanced: live places, eligibility by sector, the guardian fields only when needed,
// and errors shown in the page (GOV.UK error summary pattern). Without this script the form still posts.
// Every Dutch text comes from the page (data-text-* attributes rendered from praatmee.texts).
"use strict";

(function () {
  // Result pages: show the waiting-list position passed by the form.
  var position = document.getElementById("pm-position");
  if (position) {
    var number = new URLSearchParams(location.search).get("positie");
    if (number && /^[0-9]{1,6}$/.test(number)) {
      position.querySelector("strong").textContent = number;
      position.hidden = false;
    }
  }

  var form = document.getElementById("pm-form");
  if (!form) return;
  var text = function (key) { return form.dataset["text" + key.replace(/(^|_)([a-z])/g, function (m, s, c) { return c.toUpperCase(); })]; };
  var summary = document.getElementById("pm-error-summary");
  var guardian = document.getElementById("group-guardian");
  var meetings = {};
  var baseTitle = document.title;

  // -- the guardian fields, only for pupils under 16 --------------------------------------------------
  function showGuardian() {
    var under16 = form.querySelector("input[name=under_16]:checked");
    guardian.hidden = !(under16 && under16.value === "ja");
  }
  form.querySelectorAll("input[name=under_16]").forEach(function (input) {
    input.addEventListener("change", showGuardian);
  });
  showGuardian();

  // -- places left and eligibility ---------------------------------------------------------------------
  function describeMeetings() {
    var sector = form.querySelector("input[name=sector]:checked");
    form.querySelectorAll("#group-meeting .pm-choice").forEach(function (choice) {
      var input = choice.querySelector("input");
      var note = choice.querySelector("[data-availability]");
      var live = meetings[input.value];
      var eligible = !sector || choice.dataset.audience.split(" ").indexOf(sector.value) >= 0;
      var message = "";
      if (!eligible) {
        message = text("not_eligible");
      } else if (live && live.status === "closed") {
        message = text("closed");
      } else if (live && live.status === "full") {
        message = text("full");
      } else if (live && form.dataset.allocation === "draw") {
        message = text("applicants").replace("{applicants}", live.applicants).replace("{capacity}", live.capacity);
      } else if (live) {
        message = live.seats_left === 1 ? text("seat_left") : text("seats_left").replace("{n}", live.seats_left);
      }
      input.disabled = !eligible || (live && live.status === "closed");
      if (input.disabled) input.checked = false;
      choice.classList.toggle("pm-choice--disabled", input.disabled);
      note.textContent = message;
    });
  }
  // A second choice (draw only): another meeting for the same kind of school.
  function describeSecondChoices() {
    var sector = form.querySelector("input[name=sector]:checked");
    var first = form.querySelector("input[name=meeting]:checked");
    form.querySelectorAll("#group-second_meeting .pm-choice[data-audience]").forEach(function (choice) {
      var input = choice.querySelector("input");
      var eligible = !sector || choice.dataset.audience.split(" ").indexOf(sector.value) >= 0;
      input.disabled = !eligible || (first !== null && first.value === input.value);
      if (input.disabled && input.checked) {
        input.checked = false;
        document.getElementById("second_meeting-geen").checked = true;
      }
      choice.classList.toggle("pm-choice--disabled", input.disabled);
    });
  }
  form.querySelectorAll("input[name=sector], input[name=meeting]").forEach(function (input) {
    input.addEventListener("change", describeSecondChoices);
  });
  form.querySelectorAll("input[name=sector]").forEach(function (input) {
    input.addEventListener("change", describeMeetings);
  });
  fetch("/api/meetings", { headers: { Accept: "application/json" } })
    .then(function (answer) { return answer.ok ? answer.json() : { meetings: [] }; })
    .then(function (data) {
      data.meetings.forEach(function (m) { meetings[m.id] = m; });
      describeMeetings();
    })
    .catch(function () { describeMeetings(); });

  // -- errors ------------------------------------------------------------------------------------------
  function fieldId(field) { return field ? field.replace(".", "_") : null; }

  function firstInput(id) {
    var group = document.getElementById("group-" + id);
    return group && (group.querySelector("input:not([disabled]), textarea") || group.querySelector("input"));
  }

  function clearErrors() {
    summary.hidden = true;
    summary.querySelector("ul").textContent = "";
    form.querySelectorAll(".pm-group--error").forEach(function (group) { group.classList.remove("pm-group--error"); });
    form.querySelectorAll(".pm-error-message").forEach(function (message) {
      message.hidden = true;
      form.querySelectorAll("[aria-describedby~='" + message.id + "']").forEach(function (element) {
        var ids = element.getAttribute("aria-describedby").split(" ").filter(function (i) { return i !== message.id; });
        if (ids.length) element.setAttribute("aria-describedby", ids.join(" "));
        else element.removeAttribute("aria-describedby");
      });
    });
    document.title = baseTitle;
  }

  // The summary lists errors in the order of the page, not of the API's model.
  function inPageOrder(errors) {
    var place = function (error) {
      var group = error.field && document.getElementById("group-" + fieldId(error.field));
      return group ? Array.prototype.indexOf.call(form.querySelectorAll(".pm-group"), group) : -1;
    };
    return errors.map(function (error, i) { return { error: error, at: place(error), i: i }; })
      .sort(function (a, b) { return (a.at - b.at) || (a.i - b.i); })
      .map(function (entry) { return entry.error; });
  }

  function showErrors(errors) {
    clearErrors();
    var list = summary.querySelector("ul");
    inPageOrder(errors).forEach(function (error) {
      var id = fieldId(error.field);
      var group = id && document.getElementById("group-" + id);
      var item = document.createElement("li");
      var target = group && firstInput(id);
      if (target) {
        var link = document.createElement("a");
        link.href = "#" + target.id;
        link.textContent = error.message;
        link.addEventListener("click", function (event) {
          event.preventDefault();
          target.focus();
          group.scrollIntoView({ block: "center" });
        });
        item.appendChild(link);
        group.classList.add("pm-group--error");
        var message = document.getElementById(id + "-error");
        message.querySelector("[data-message]").textContent = error.message;
        message.hidden = false;
        // Tie the message to the control (or the fieldset) that owns it.
        var owner = group.tagName === "FIELDSET" ? group : target;
        var described = (owner.getAttribute("aria-describedby") || "").split(" ").filter(Boolean);
        described.push(message.id);
        owner.setAttribute("aria-describedby", described.join(" "));
      } else {
        item.textContent = error.message;
      }
      list.appendChild(item);
    });
    document.title = text("error_title_prefix") + baseTitle;
    summary.hidden = false;
    summary.focus();
  }

  // -- sending -----------------------------------------------------------------------------------------
  function body() {
    var data = new FormData(form);
    var value = function (name) { return (data.get(name) || "").trim(); };
    var registration = {
      meeting: value("meeting"),
      name: value("name"),
      email: value("email"),
      role: value("role"),
      sector: value("sector"),
      themes: data.getAll("themes"),
      privacy_consent: data.get("privacy_consent") === "ja"
    };
    // Left unanswered, the API asks a pupil for it.
    if (data.get("under_16")) registration.under_16 = data.get("under_16") === "ja";
    ["second_meeting", "organisation", "needs", "website"].forEach(function (name) { if (value(name)) registration[name] = value(name); });
    if (registration.under_16) {
      registration.guardian = {
        name: value("guardian_name"),
        email: value("guardian_email"),
        consent: data.get("guardian_consent") === "ja"
      };
    }
    // An unanswered choice goes as missing, so the API names it.
    ["meeting", "role", "sector"].forEach(function (name) { if (!registration[name]) delete registration[name]; });
    return JSON.stringify(registration);
  }

  var sending = false;
  form.addEventListener("submit", function (event) {
    event.preventDefault();
    if (sending) return;  // a double click sends once
    sending = true;
    fetch(form.getAttribute("action"), {
      method: "POST",
      headers: { "Content-Type": "application/json", Accept: "application/json" },
      body: body()
    })
      .then(function (answer) {
        return answer.json().catch(function () { return {}; }).then(function (data) {
          if (answer.status === 201) {
            var next = form.dataset.result + data.status + "/";
            if (data.waitlist_position) next += "?positie=" + data.waitlist_position;
            if (data.meeting) next += "#bijeenkomst-" + data.meeting;
            location.assign(next);
            return;
          }
          showErrors(data.errors && data.errors.length ? data.errors : [{ field: null, message: text("network") }]);
          sending = false;
        });
      })
      .catch(function () {
        showErrors([{ field: null, message: text("network") }]);
        sending = false;
      });
  });
})();
