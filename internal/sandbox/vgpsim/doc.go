// Package vgpsim is a fake of the Genohub/Coconut "VGP balance usage history"
// API (POST /PaymentListForThirdParty), built from the vendor document and the
// project's API notes only, so that tests of the real client check it against
// an independent reading of the API.
//
// Wire behaviour:
//   - The request body is JSON {"Email", "PhoneNumber", "Caller"}; no auth.
//     A member matches by Email or by PhoneNumber (compared without a leading
//     '+'); an empty string counts as absent. Emails compare exactly.
//   - Every answer of the endpoint is HTTP 200 with {"status", "response"};
//     business errors carry the message string in "response". Checks run in
//     this order: body not a JSON object of strings => 3400 "Unhandled Error";
//     neither Email nor PhoneNumber => 3400; Caller missing => 3100 "Wrong
//     Caller"; no such member => 3200 "Not Member"; Caller not accepted for
//     the member => 3100; Records nil => 3300 "No Asset Information";
//     otherwise 3000 with the records in the order they were added.
//   - Success bodies are compact JSON (the vendor sample is pretty-printed);
//     clients must use a JSON decoder, not byte matching.
//   - Other paths answer 404 {"message":"Not Found"}; other methods on the
//     endpoint answer 405 {"message":"Method Not Allowed"} with Allow: POST.
//   - A Fault (package fault, set with SetFault) applies once the body is read
//     (after the 404 and 405 checks, before the business ones): the request
//     Email's, else its PhoneNumber's, else the global one (""). Requests
//     records a faulted request with Status "".
package vgpsim
