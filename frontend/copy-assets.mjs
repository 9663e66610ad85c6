// Copies the runtime assets of the npm packages into build/static so Django
// serves them itself (no CDN).
import { cpSync, mkdirSync, readFileSync, writeFileSync } from "node:fs";

const out = "build/static";
mkdirSync(`${out}/js`, { recursive: true });
cpSync("node_modules/govuk-frontend/dist/govuk/assets", `${out}/govuk`, { recursive: true });
cpSync("node_modules/@ministryofjustice/frontend/moj/assets", `${out}/moj`, { recursive: true });
cpSync("node_modules/govuk-frontend/dist/govuk/govuk-frontend.min.js", `${out}/js/govuk-frontend.min.js`);
cpSync("node_modules/@ministryofjustice/frontend/moj/moj-frontend.min.js", `${out}/js/moj-frontend.min.js`);
cpSync("node_modules/htmx.org/dist/htmx.min.js", `${out}/js/htmx.min.js`);

// MOJ's compiled CSS names the GDS Transport font and the /assets/ path; swap
// in the same system font stack as app.scss and our static path.
const moj = readFileSync("node_modules/@ministryofjustice/frontend/moj/moj-frontend.min.css", "utf8")
  .replaceAll("GDS Transport,arial,sans-serif", 'system-ui,-apple-system,"Segoe UI",Roboto,Arial,sans-serif')
  .replaceAll("url(/assets/", "url(/static/moj/");
writeFileSync(`${out}/build/moj.css`, moj);
