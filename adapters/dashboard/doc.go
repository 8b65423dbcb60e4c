// Package dashboard is the operators' web dashboard, served under /dashboard
// by the same binary as the HTTP API: the vendor's "Creation via Dashboard"
// path. An operator signs in, searches the organisation's customers
// (Customer Management), opens a customer's Virtual Series Allotment screen,
// adds series ("Series added successfully") and deletes those with nothing
// drawn.
//
// Pages are rendered on the server with html/template from files embedded
// with embed, and work without JavaScript; a small embedded script only
// shows a series' count while the operator types, asking the server, which
// applies the domain's rules (series.ValidateRange). Nothing is loaded from
// another origin.
//
// Every action goes through the driving ports (ports.Services): operators
// and sessions through OperatorService, customers, service types and series
// through their services, so the dashboard holds no business rule of its
// own. The organisation of every page is the signed-in operator's.
//
// Security: the session id lives in an HttpOnly, SameSite=Lax cookie
// scoped to /dashboard (Secure over TLS, or always with
// Config.SecureCookies); every form carries a CSRF token, the session's for
// signed-in pages and a double-submit cookie's for the sign-in form, and
// every POST is refused without it. Pages send a strict
// Content-Security-Policy and are never cached.
package dashboard
