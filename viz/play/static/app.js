// The Playground page: controls that ask the local server (viz/play/server.py) to train and redraw.
"use strict";
var playing = false, busy = false;

function $(query) { return document.querySelector(query); }

function showError(message) { $("#error").textContent = message || ""; }

function show(state) {
  $("#view").innerHTML = state.svg;
  $("#status").textContent = "epoch " + state.epoch + " · train loss " + state.train_loss.toFixed(3) +
    " · test loss " + state.test_loss.toFixed(3);
}

// A JSON answer; a refusal (4xx) rejects with the server's message.
function answer(response) {
  return response.json().then(function (body) {
    if (!response.ok) throw new Error(body.error || ("HTTP " + response.status));
    return body;
  });
}

function post(path, body) {
  return fetch(path, {method: "POST", headers: {"Content-Type": "application/json"},
                      body: JSON.stringify(body || {})}).then(answer);
}

function options(select, values, chosen) {
  select.innerHTML = "";
  values.forEach(function (v) {
    var option = document.createElement("option");
    option.value = option.textContent = v;
    option.selected = String(v) === String(chosen);
    select.appendChild(option);
  });
}

// The settings the learner sees, before any request is made.
function fill(state) {
  var s = state.settings, choices = state.choices;
  ["dataset", "activation", "lr", "regularization", "reg_rate"].forEach(function (name) {
    options($("[name=" + name + "]"), choices[name], s[name]);
  });
  $("[name=noise]").value = s.noise;
  $("[name=train_ratio]").value = s.train_ratio;
  $("[name=batch_size]").value = s.batch_size;
  $("[name=hidden]").value = s.hidden.join(", ");
  var features = $("#features");
  features.innerHTML = "";
  Object.keys(choices.features).forEach(function (key) {
    var label = document.createElement("label"), box = document.createElement("input");
    box.type = "checkbox"; box.name = "feature"; box.value = key; box.checked = s.features.indexOf(key) >= 0;
    label.appendChild(box); label.appendChild(document.createTextNode(choices.features[key]));
    features.appendChild(label); features.appendChild(document.createTextNode(" "));
  });
}

// "6, 6" -> [6, 6]; "" -> [] (no hidden layer); anything else is refused here, where it was typed.
function hiddenSizes(text) {
  var parts = text.split(",").map(function (v) { return v.trim(); });
  if (parts.length === 1 && parts[0] === "") return [];
  if (!parts.every(function (v) { return /^[0-9]+$/.test(v); })) {
    throw new Error("hidden layers: write whole numbers separated by commas, e.g. 6, 6 (got \"" + text + "\")");
  }
  return parts.map(function (v) { return parseInt(v, 10); });
}

function settings() {
  var features = Array.prototype.map.call(document.querySelectorAll("[name=feature]:checked"),
                                          function (c) { return c.value; });
  return {dataset: $("[name=dataset]").value, noise: +$("[name=noise]").value,
          train_ratio: +$("[name=train_ratio]").value, batch_size: +$("[name=batch_size]").value,
          hidden: hiddenSizes($("[name=hidden]").value), features: features,
          activation: $("[name=activation]").value, lr: +$("[name=lr]").value,
          regularization: $("[name=regularization]").value, reg_rate: +$("[name=reg_rate]").value};
}

function changed(event) {
  var hidden = $("[name=hidden]"), chosen;
  try {
    chosen = settings();
    hidden.classList.remove("invalid");
  } catch (error) {
    hidden.classList.add("invalid");
    showError(error.message);
    return;
  }
  post("/api/settings", chosen).then(function (state) { showError(""); show(state); },
                                     function (error) { showError(error.message); });
}

function loop() {
  if (!playing || busy) return;
  busy = true;
  post("/api/step", {epochs: 1}).then(function (state) { busy = false; show(state); setTimeout(loop, 0); },
                                      function (error) { busy = false; playing = false; showError(error.message); });
}

$("#play").addEventListener("click", function () {
  playing = !playing;
  this.innerHTML = playing ? "&#10074;&#10074; pause" : "&#9654; play";
  loop();
});
$("#step").addEventListener("click", function () {
  if (!playing) post("/api/step", {epochs: 1}).then(show, function (error) { showError(error.message); });
});
$("#reset").addEventListener("click", function () {
  post("/api/reset").then(show, function (error) { showError(error.message); });
});
$("#view").addEventListener("click", function (event) {
  var unit = event.target.closest("[data-unit]");
  if (!unit) return;
  fetch("/api/neuron?layer=" + unit.getAttribute("data-layer") + "&unit=" + unit.getAttribute("data-unit") +
        "&sample=0").then(function (response) {
    if (!response.ok) return answer(response);
    return response.text().then(function (svg) { $("#graph").innerHTML = svg; });
  }).catch(function (error) { showError(error.message); });
});

fetch("/api/state").then(answer).then(function (state) {
  fill(state);
  show(state);
  document.querySelectorAll(".controls select, .controls input").forEach(function (el) {
    el.addEventListener("change", changed);
  });
}, function (error) { showError(error.message); });
