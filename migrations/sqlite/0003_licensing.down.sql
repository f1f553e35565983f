DROP TABLE user_terms_of_service;
DROP TABLE terms_of_service;
DROP TABLE licenses;
