/* What a page gives the module before it loads: zone.js, Angular's JIT compiler, and the host's
 * platform services (window.handlerChain), as the host page installs them. */
import "zone.js";
import "@angular/compiler";
require("../host/host-platform.js");
