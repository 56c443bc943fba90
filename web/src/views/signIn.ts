import { asProblem } from "@platform/client";
import { api, describe, session, signedIn } from "../api";
import { field, h } from "../dom";

/** Email and password; when the API answers `mfa_required`, a second step asks for the authenticator (or recovery) code. */
export function signInView(onSignedIn: () => void, notice?: string): HTMLElement {
  const error = h("p", { class: "error", role: "alert" });
  const email = h("input", { name: "email", type: "email", autocomplete: "username", required: true });
  const password = h("input", { name: "password", type: "password", autocomplete: "current-password", required: true });
  // Required only once shown: a hidden required field would block the first step's submit.
  const code = h("input", { name: "mfaCode", autocomplete: "one-time-code", inputmode: "numeric", maxlength: 32 });
  const codeStep = h("div", { hidden: true }, h("p", {}, "This account uses two-factor authentication."),
    field("Authentication code", code));
  const submit = h("button", { type: "submit" }, "Sign in");

  const form = h("form", { class: "stacked", "aria-labelledby": "sign-in-title" },
    field("Email", email), field("Password", password), codeStep, submit, error);
  form.addEventListener("submit", async event => {
    event.preventDefault();
    error.textContent = "";
    submit.disabled = true;
    try {
      const mfaCode = codeStep.hidden ? undefined : code.value.trim();
      const { data, error: problem, response } = await api.POST("/api/v1/auth/login", {
        body: { email: email.value, password: password.value, mfaCode },
      });
      if (data) {
        session.accept(data);
        signedIn(data.user);
        onSignedIn();
        return;
      }

      if (asProblem(problem)?.code === "mfa_required" && codeStep.hidden) {
        codeStep.hidden = false;
        code.required = true;
        submit.textContent = "Verify";
        code.focus();
        return;
      }

      error.textContent = describe(problem, response);
    } catch (failure) {
      error.textContent = describe(failure);
    } finally {
      submit.disabled = false;
    }
  });

  return h("section", {}, h("h1", { id: "sign-in-title" }, "Sign in"), notice ? h("p", { role: "alert" }, notice) : null, form);
}
