// Runs `scripts/sts.mjs` for a self-test without blocking the event loop (a stub server the test
// runs answers in the same process), with the CLI's environment variables cleared first.
import { spawn } from "node:child_process";
import { dirname, join } from "node:path";
import { fileURLToPath } from "node:url";

export const ROOT = join(dirname(fileURLToPath(import.meta.url)), "..", "..", "..");

/**
 * @param {{ timeout?: number, stdin?: string }} [options]  `timeout`: milliseconds before the
 *   command is killed (its status then null), for a test of a command that must not hang; `stdin`:
 *   what the command reads, then end of input (without it, stdin stays an open pipe)
 * @returns {Promise<{ status: number|null, stdout: string, stderr: string }>}
 */
export function runSts(args, env = {}, { timeout, stdin } = {}) {
  return new Promise((resolve) => {
    const clean = { ...process.env };
    for (const k of ["STS_ADMIN", "STS_ADMIN_SECRET", "STS_PASSWORD", "STS_CLIENT_SECRET", "STS_URL", "npm_lifecycle_event", "INIT_CWD"]) delete clean[k];
    const child = spawn(process.execPath, [join(ROOT, "scripts", "sts.mjs"), ...args], { cwd: ROOT, env: { ...clean, ...env }, ...(timeout === undefined ? {} : { timeout, killSignal: "SIGKILL" }) });
    let stdout = "";
    let stderr = "";
    child.stdout.on("data", (d) => (stdout += d));
    child.stderr.on("data", (d) => (stderr += d));
    child.on("close", (status) => resolve({ status, stdout, stderr }));
    if (stdin !== undefined) child.stdin.end(stdin);
  });
}


/** A WS-MetadataExchange document naming one usernamemixed endpoint (WS-Trust 1.3, SOAP 1.2), as an STS serves it. */
export function mexNaming(address) {
  return (
    `<wsdl:definitions xmlns:wsdl="http://schemas.xmlsoap.org/wsdl/" xmlns:soap12="http://schemas.xmlsoap.org/wsdl/soap12/" xmlns:wsa="http://www.w3.org/2005/08/addressing" xmlns:wsp="http://schemas.xmlsoap.org/ws/2004/09/policy" xmlns:wsu="http://docs.oasis-open.org/wss/2004/01/oasis-200401-wss-wssecurity-utility-1.0.xsd">` +
    `<wsp:Policy wsu:Id="p"><x:UsernameToken xmlns:x="urn:x"/></wsp:Policy><wsdl:binding name="b"><wsp:PolicyReference URI="#p"/><soap12:binding/>` +
    `<wsdl:operation name="Issue"><soap12:operation soapAction="http://docs.oasis-open.org/ws-sx/ws-trust/200512/RST/Issue"/></wsdl:operation></wsdl:binding>` +
    `<wsdl:service name="s"><wsdl:port name="p1" binding="tns:b"><wsa:EndpointReference><wsa:Address>${address}</wsa:Address></wsa:EndpointReference></wsdl:port></wsdl:service></wsdl:definitions>`
  );
}
