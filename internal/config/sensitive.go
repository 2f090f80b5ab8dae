package config

// Sensitive returns the account's secrets: they must never appear in a log
// line, an error or a page, whatever an upstream echoes back.
func (a *NCloudAccount) Sensitive() []string {
	return []string{a.AccessKey, a.SecretKey.Reveal()}
}

// Sensitive returns the member's personal data (phone number and e-mail):
// sent to the API only, never shown.
func (a *VGPAccount) Sensitive() []string {
	return []string{a.PhoneNumber, a.Email}
}

// Sensitive returns the merchant's REST API key pair (v1) or API secret (V2).
func (a *PortOneAccount) Sensitive() []string {
	return []string{a.ImpKey, a.ImpSecret.Reveal(), a.APISecret.Reveal()}
}
