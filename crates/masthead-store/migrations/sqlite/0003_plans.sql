-- The plan catalogue, starting with the seed page's three plans. Admins edit
-- it; prices are integer paise, GST included.
CREATE TABLE plans (
    id          BIGINT PRIMARY KEY,
    name        TEXT NOT NULL,
    price_paise BIGINT NOT NULL CHECK (price_paise > 0),
    term_months BIGINT NOT NULL CHECK (term_months > 0),
    active      BOOLEAN NOT NULL DEFAULT TRUE,
    position    BIGINT NOT NULL
);

INSERT INTO plans (id, name, price_paise, term_months, active, position) VALUES
    (1, 'Smart Quarterly', 90000, 3, TRUE, 1),
    (2, 'Smart Essential', 270000, 12, TRUE, 2),
    (3, 'Super Saver', 390000, 24, TRUE, 3);
