// Texts of the people pages.
export default {
  'zh-CN': {},
  'en-US': {},
}
