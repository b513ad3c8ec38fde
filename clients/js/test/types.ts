import * as gh from "gamehost-client";
const c: gh.GameHostClient | undefined = undefined;
void c; void gh;
