// Package portonesim is a fake of the PortOne (iamport) REST API v1 parts the
// exporter uses: POST /users/getToken, GET /subscribe/customers/{customer_uid}/schedules
// and GET /subscribe/payments/schedule. It is built from the vendor document
// and the project's API notes only, so that tests of the real client check it
// against an independent reading of the API.
//
// Decisions where the vendor is silent (see the API notes, section 3):
//   - Every answer is {"code", "message", "response"}; success has code 0 and
//     message null. Errors have code -1, response null and an English message:
//     400 for bad query parameters or an unreadable getToken body, 401 for bad
//     credentials or a missing, unknown or expired token ("Unauthorized"),
//     404 "Not Found" for other paths, 405 "Method Not Allowed" (with Allow).
//   - A token is valid while now < expired_at. Any of "Authorization: Bearer
//     <t>", "Authorization: <t>" and "X-ImpTokenHeader: <t>" is accepted.
//   - Three months: to <= from + 3 calendar months in Asia/Seoul (UTC+9, no DST
//     since 1988), with Go's AddDate normalisation (2023-11-30 + 3 months = 2024-03-01).
//     to < from is a 400 too; to == from is a valid, empty range.
//   - page < 1, limit outside 1..1000, an unknown schedule status or sorting is
//     a 400. sorting accepts "scheduled" (oldest first), "-scheduled" and ""
//     (newest first). Ties on schedule_at are broken by merchant_uid.
//   - A page past the end is an empty list with the real total; previous is
//     then the last page. An unknown customer_uid is code 0 with no schedules.
//   - The customer endpoint also accepts the Java client's schedule_from,
//     schedule_to and schedule_status names; the swagger names win if both
//     are sent. An empty status means every status.
//   - Faults (package fault, set with SetFault) apply after authentication, so
//     a bad credential is still a 401. Requests records the status a fault
//     answered with, 0 when it hung or reset the connection.
package portonesim
