import type { Catalog } from '../shared/i18n.ts';

export const registrationMessages: Catalog = {
  'registration.title': { en: 'Create account', ru: 'Создание аккаунта' },
  'registration.email': { en: 'Email', ru: 'Электронная почта' },
  'registration.email_hint': { en: 'We will send a code to confirm it.', ru: 'Мы отправим код, чтобы подтвердить адрес.' },
  'registration.login_name': { en: 'Login name (optional)', ru: 'Имя для входа (необязательно)' },
  'registration.login_name_hint': {
    en: 'You can sign in with it instead of your email. 3–32 Latin letters, digits, dots, hyphens or underscores.',
    ru: 'Можно входить по нему вместо почты. 3–32 латинские буквы, цифры, точки, дефисы или подчёркивания.',
  },
  'registration.password': { en: 'Password', ru: 'Пароль' },
  'registration.password_confirmation': { en: 'Repeat password', ru: 'Повторите пароль' },
  'registration.submit': { en: 'Create account', ru: 'Создать аккаунт' },
  'registration.have_account': { en: 'Already have an account?', ru: 'Уже есть аккаунт?' },
  'registration.sign_in': { en: 'Sign in', ru: 'Войти' },
  'registration.login_name_taken': {
    en: 'This login name is taken. Choose another one or leave the field empty.',
    ru: 'Это имя для входа занято. Выберите другое или оставьте поле пустым.',
  },
  'registration.login_name_taken_meanwhile': {
    en: 'While you were confirming your email, someone else took the login name you chose. No account was created. Please create your account again with another login name, or none.',
    ru: 'Пока вы подтверждали почту, выбранное имя для входа занял кто-то другой. Аккаунт не создан. Создайте аккаунт заново с другим именем для входа или без него.',
  },
  'registration.welcome': { en: 'Your email is confirmed. Welcome!', ru: 'Почта подтверждена. Добро пожаловать!' },
};
