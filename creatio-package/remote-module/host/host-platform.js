/* The platform services a Creatio page gives a remote module, provided by a small host page instead:
 * @creatio-devkit/common's services (HttpClientService, SysSettingsService, ...) send each call as a
 * request down Creatio's handler chain (window.handlerChain); this host answers the two the module
 * uses. HTTP goes out with the browser's fetch; a 4xx/5xx rejects with the shape of Angular's
 * HttpErrorResponse ({status, error: the parsed body}), as Creatio's HttpClient does. System settings
 * come from the object given to installHostPlatform. */
(function () {
  "use strict";

  function httpRequest(method, args) {
    const url = args[0];
    const hasBody = method === "post" || method === "put" || method === "patch";
    const body = hasBody ? args[1] : (args[1] && args[1].body);
    const options = (hasBody ? args[2] : args[1]) || {};
    const init = { method: method.toUpperCase(), headers: options.headers || {} };
    if (body !== undefined && body !== null) {
      init.body = JSON.stringify(body);
    }
    return fetch(url, init).then(function (response) {
      return response.text().then(function (text) {
        let parsed = null;
        try { parsed = text ? JSON.parse(text) : null; } catch (e) { parsed = text; }
        const answer = { status: response.status, statusText: response.statusText, ok: response.ok,
          url: response.url, headers: response.headers, body: parsed };
        if (!response.ok) {
          throw { name: "HttpErrorResponse", status: response.status, statusText: response.statusText,
            url: response.url, error: parsed, ok: false };
        }
        return answer;
      });
    }, function (failure) {
      throw { name: "HttpErrorResponse", status: 0, statusText: "Unknown Error", url: url, error: failure, ok: false };
    });
  }

  function install(settings, log) {
    const requests = [];
    const chain = {
      process: function (request) {
        requests.push({ type: request.type, method: request.method });
        if (log) { log(request); }
        if (request.type === "crt.HttpClientService") {
          return httpRequest(request.method, request.args || []);
        }
        if (request.type === "crt.SysSettingsService") {
          const codes = request.method === "getByCodes" ? request.args[0] : [request.args[0]];
          const values = codes.map(function (code) {
            return { code: code, value: Object.prototype.hasOwnProperty.call(settings, code) ? settings[code] : null };
          });
          return Promise.resolve(request.method === "getByCodes" ? { values: values } : values[0]);
        }
        return Promise.reject(new Error("This host page does not provide " + request.type + "." + request.method));
      },
      register: function () { return true; },
      update: function () { return true; },
      subscribe: function () { return function () {}; },
    };
    window.handlerChain = {
      handlerChain$: chain,
      clear: function () {},
      clearContextedHandlersCache: function () {},
    };
    return requests;
  }

  /* Creatio registers each package's remote entry before loading it; bootstrapCrtModule checks that
   * its remote is known (window.creatio.registry.remotes). */
  function registerRemote(name, url) {
    const creatio = window.creatio = window.creatio || {};
    const registry = creatio.registry = creatio.registry || {};
    const remotes = registry.remotes = registry.remotes || { store: { typeInfos: new Map() } };
    remotes.store.typeInfos.set(name, { name: name, type: "script", url: url });
  }

  window.installHostPlatform = install;
  window.registerHostRemote = registerRemote;
})();
