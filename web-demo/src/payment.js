// The demo payment provider's test tokens: the demo takes no card numbers, only these.
export const TEST_TOKENS = [
  ["tok_visa", "Visa — approved"],
  ["tok_mastercard", "Mastercard — approved"],
  ["tok_amex", "American Express — approved"],
  ["tok_wallet_applepay", "Apple Pay wallet — approved"],
  ["tok_declined", "Card declined"],
  ["tok_insufficient_funds", "Insufficient funds — declined"],
  ["tok_expired_card", "Expired card — declined"],
  ["tok_processing_error", "Provider error"],
];
